using Infrar.Build.Infrastructure;
using Infrar.Generators.Catalog;
using Xunit;

namespace Infrar.Build.Tests.Infrastructure;

/// <summary>The catalog's template language and the HCL layout, on small inputs whose output can be read by eye.</summary>
public sealed class TemplateRendererTests
{
    private const string Template = """
        resource "x" "{{id}}" {
          name = "{{name}}"
          {{#versioning}}
          versioning = true
          {{/versioning}}
          {{^versioning}}
          # no versioning
          {{/versioning}}
          tags = {
            {{tags}}
          }
          {{extra}}
        }
        """;

    [Fact]
    public void Sections_keep_or_drop_their_lines_and_a_lone_value_takes_the_tags_indent()
    {
        var text = TemplateRenderer.Render(Template, Values(versioning: "true", tags: "a = 1\n\nb = 2", extra: ""), "x.tf");

        Assert.Equal("""
            resource "x" "photos" {
              name = "photos"
              versioning = true
              tags = {
                a = 1

                b = 2
              }
            }
            """, text);
    }

    [Fact]
    public void An_unset_section_drops_its_body_and_the_inverted_one_keeps_its_own()
    {
        var text = TemplateRenderer.Render(Template, Values(versioning: "false", tags: "a = 1", extra: "lifecycle {}"), "x.tf");

        Assert.Contains("  # no versioning\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("versioning = true", text, StringComparison.Ordinal);
        Assert.Contains("\n  lifecycle {}\n}", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{#a}}x", "opens {{#a}} and never closes it")]
    [InlineData("x{{/a}}", "closes {{/a}} where it has no {{#a}} or {{^a}} open")]
    [InlineData("{{#a}}{{^b}}x{{/a}}{{/b}}", "closes {{/a}} where it has no {{#a}} or {{^a}} open")]
    [InlineData("{{missing}}", "uses {{missing}}, which Infrar does not provide")]
    public void A_broken_template_is_refused_naming_it_and_the_tag(string template, string problem)
    {
        var e = Assert.Throws<CatalogException>(() => TemplateRenderer.Render(template, new Dictionary<string, string> { ["a"] = "true", ["b"] = "" }, "broken.tf"));

        Assert.Equal($"catalog template 'broken.tf' {problem}.", e.Message);
    }

    [Fact]
    public void The_formatter_aligns_attributes_and_comments_as_tofu_fmt_does()
    {
        var text = HclFormatter.Format("""
            resource "x" "y" {   
              a = 1
              long_name    = "two"
              "quoted" = 3


              list = [
                "s3:GetObject", # A.cs:1
                "s3:PutObject", # Program.cs:12
              ]
              same == not_an_attribute
            }


            """);

        Assert.Equal("""
            resource "x" "y" {
              a         = 1
              long_name = "two"
              "quoted"  = 3

              list = [
                "s3:GetObject", # A.cs:1
                "s3:PutObject", # Program.cs:12
              ]
              same == not_an_attribute
            }

            """, text);
    }

    private static Dictionary<string, string> Values(string versioning, string tags, string extra) => new()
    {
        ["id"] = "photos",
        ["name"] = "photos",
        ["versioning"] = versioning,
        ["tags"] = tags,
        ["extra"] = extra,
    };
}
