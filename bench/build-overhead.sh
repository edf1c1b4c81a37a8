#!/usr/bin/env bash
# Times `dotnet build` of a generated app with and without Infrar, as a package consumer builds it: the same N source
# files, each with two bucket calls. Infrar.Sdk is packed (Release, a version of its own) into a feed beside the
# projects, outside this repository, so nothing of the repository's build applies to them.
#   with     PackageReference Infrar.Sdk, InfrarProvider=aws unless --provider says otherwise: generator, analyzers,
#            the infrastructure task, and the provider's SDK package, which Infrar adds.
#   without  the same package with ExcludeAssets="analyzers;build;buildTransitive" (the SDK as a plain library: the
#            calls compile, nothing is generated) and the same provider SDK package referenced by hand, so both
#            compilations see the same references. (The package's analyzers are removed by a target: NuGet passes
#            them to the compiler despite ExcludeAssets.)
# Each timed build is a full recompile (-t:Rebuild, --no-restore), after two untimed builds that restore and warm the
# build server. The two variants alternate run by run, so a slow minute of the machine hurts both. Medians printed.
#
#   bench/build-overhead.sh [--files 500] [--runs 5] [--provider aws] [--binlog] [--no-server]
#
# The compiler server (VBCSCompiler) is on, as `dotnet build` has it by default, so the compiler and the generator are
# loaded and compiled to machine code once, not once per build; --no-server runs a fresh csc process per build, as a
# machine with UseSharedCompilation=false does (this one sets it in the environment).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
files=500
runs=5
provider=aws
binlog=false
shared=true
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --provider) provider=$2; shift 2 ;;
    --binlog) binlog=true; shift ;;
    --no-server) shared=false; shift ;;
    *) echo "usage: bench/build-overhead.sh [--files N] [--runs N] [--provider aws|gcp|azure|local] [--binlog] [--no-server]" >&2; exit 2 ;;
  esac
done

work=${INFRAR_BENCH_DIR:-${TMPDIR:-/tmp}/infrar-build-overhead}
rm -rf "$work"
mkdir -p "$work/feed" "$work/with" "$work/without"
version=0.1.0-bench.$(date +%s)
cache=${NUGET_PACKAGES:-$HOME/.nuget/packages}
trap 'rm -rf "$cache/infrar.sdk/$version"' EXIT   # this version is never used again
echo "packing Infrar.Sdk $version into $work/feed"
dotnet pack src/Infrar.Sdk -c Release -nologo -v:q -o "$work/feed" -p:Version="$version" > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }

# The provider's packages at the versions Infrar adds them (Infrar.Providers.props, written from the catalog).
provider_packages=$(awk -v p="'$provider'" '
  /<ItemGroup Condition=/ { inside = index($0, "== " p) > 0 && index($0, "ManagePackageVersionsCentrally") == 0 }
  inside && /<PackageReference Include=.*Version=/ {
    match($0, /Include="[^"]*"/); id = substr($0, RSTART + 9, RLENGTH - 10)
    match($0, /Version="[^"]*"/); v = substr($0, RSTART + 9, RLENGTH - 10)
    printf "    <PackageReference Include=\"%s\" Version=\"%s\" />\n", id, v
  }' src/Infrar.Build/build/Infrar.Providers.props)

cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="infrar" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML

cat > "$work/with/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <InfrarProvider>$provider</InfrarProvider>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Infrar.Sdk" Version="$version" />
  </ItemGroup>
</Project>
XML

cat > "$work/without/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Infrar.Sdk" Version="$version" ExcludeAssets="analyzers;build;buildTransitive" />
$provider_packages
  </ItemGroup>
  <!-- ExcludeAssets="analyzers" does not keep a package's analyzers from the compiler (NuGet/Home#6279). -->
  <Target Name="RemoveInfrarAnalyzers" AfterTargets="ResolveLockFileAnalyzers" BeforeTargets="CoreCompile">
    <ItemGroup>
      <Analyzer Remove="@(Analyzer->WithMetadataValue('NuGetPackageId', 'Infrar.Sdk'))" />
    </ItemGroup>
  </Target>
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
  dotnet build "$1/App.csproj" -nologo -v:q --no-restore -t:Rebuild -p:UseSharedCompilation=$shared "${@:2}" > "$1/build.log" 2>&1 || { cat "$1/build.log"; exit 1; }
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for variant in with without; do
  dotnet build "$work/$variant/App.csproj" -nologo -v:q > "$work/$variant/first.log" 2>&1 || { cat "$work/$variant/first.log"; exit 1; }
  build "$work/$variant"   # warm the build server once more before timing
  : > "$work/$variant/times"
done
for _ in $(seq "$runs"); do
  for variant in with without; do
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
out=$work/with/bin/Debug/net10.0
case "$provider" in
  aws) grep -q AmazonS3Client "$out/App.dll" || { echo "the Infrar build did not rewrite the calls" >&2; exit 1; } ;;
  azure) grep -q BlobContainerClient "$out/App.dll" || { echo "the Infrar build did not rewrite the calls" >&2; exit 1; } ;;
  gcp) grep -q StorageClient "$out/App.dll" || { echo "the Infrar build did not rewrite the calls" >&2; exit 1; } ;;
esac
ls "$out/infra/$provider/"*.tf > /dev/null || { echo "the Infrar build wrote no infrastructure" >&2; exit 1; }

# Where the time goes: one more build of each with a binary log and the compiler's analyzer and generator timings,
# replayed into a per-target/per-task summary (Target/Task Performance Summary) beside it.
if [ "$binlog" = true ]; then
  for variant in with without; do
    build "$work/$variant" -p:ReportAnalyzer=true -bl:"$work/$variant.binlog"
    dotnet msbuild "$work/$variant.binlog" -noconlog -flp:"v=diag;PerformanceSummary;logfile=$work/$variant.perf.log" > /dev/null
    echo "binary log: $work/$variant.binlog (summary: $work/$variant.perf.log)"
  done
fi
