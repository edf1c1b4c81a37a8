#!/usr/bin/env bash
# Times `dotnet build` of a generated project with and without Infrar: the same N source files, each with two bucket
# calls, built as an app. "with" uses Infrar as a package consumer does (generator, analyzers, infrastructure task,
# InfrarProvider=aws unless --provider says otherwise); "without" references Infrar.Sdk as a plain library, so the calls compile but nothing is
# generated. Each build is a full recompile of the app (-t:Rebuild), references already built; the medians are printed.
#
#   bench/build-overhead.sh [--files 500] [--runs 5] [--provider aws]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
files=500
runs=5
provider=aws
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --provider) provider=$2; shift 2 ;;
    *) echo "usage: bench/build-overhead.sh [--files N] [--runs N] [--provider aws|gcp|azure|local]" >&2; exit 2 ;;
  esac
done

work=$root/artifacts/build-overhead
rm -rf "$work"
mkdir -p "$work/with" "$work/without"

cat > "$work/with/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Import Project="$root/eng/Infrar.InRepo.props" />
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <InfrarProvider>$provider</InfrarProvider>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="AWSSDK.S3" Version="4.1.0" />
  </ItemGroup>
  <Import Project="$root/eng/Infrar.InRepo.targets" />
</Project>
XML

cat > "$work/without/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="AWSSDK.S3" Version="4.1.0" />
    <ProjectReference Include="$root/src/Infrar.Sdk/Infrar.Sdk.csproj" />
  </ItemGroup>
</Project>
XML

for variant in with without; do
  dir=$work/$variant
  printf 'public static class Program\n{\n    public static void Main() { }\n}\n' > "$dir/Program.cs"
  for i in $(seq -w 1 "$files"); do
    cat > "$dir/Feature$i.cs" <<CS
using System.Threading.Tasks;
using Infrar;

namespace Generated;

public sealed class Feature$i
{
    private static readonly Bucket Media = Storage.Bucket("media-$((10#$i % 10))");

    public async Task<int> RunAsync(string key, byte[] content)
    {
        await Media.UploadAsync(key, content);
        var bytes = await Media.DownloadBytesAsync(key);
        return bytes.Length + $((10#$i));
    }
}
CS
  done
done

build() {
  dotnet build "$1/App.csproj" -nologo -v:q --no-restore -t:Rebuild -p:BuildProjectReferences=false > "$1/build.log" 2>&1 || { cat "$1/build.log"; exit 1; }
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for variant in with without; do
  dotnet build "$work/$variant/App.csproj" -nologo -v:q > "$work/$variant/first.log" 2>&1 || { cat "$work/$variant/first.log"; exit 1; }
  build "$work/$variant"   # warm the build server once more before timing
  : > "$work/$variant/times"
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    build "$work/$variant"
    echo $(( ($(date +%s%N) - start) / 1000000 )) >> "$work/$variant/times"
  done
done

with=$(median < "$work/with/times")
without=$(median < "$work/without/times")
echo "| project | files | call sites | runs | median build (ms) |"
echo "|---|---:|---:|---:|---:|"
echo "| without Infrar | $files | $((files * 2)) | $runs | $without |"
echo "| with Infrar ($provider) | $files | $((files * 2)) | $runs | $with |"
echo "overhead: $((with - without)) ms ($(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a / b }')x)"
# The comparison means something only if the Infrar build really rewrote the calls and wrote the infrastructure.
if [ "$provider" = aws ]; then
  grep -q AmazonS3Client "$work/with/bin/Debug/net10.0/App.dll" || { echo "the Infrar build did not rewrite the calls" >&2; exit 1; }
fi
ls "$work/with/bin/Debug/net10.0/infra/$provider/"*.tf > /dev/null || { echo "the Infrar build wrote no infrastructure" >&2; exit 1; }
