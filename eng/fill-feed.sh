#!/usr/bin/env bash
# Packs the .NET SDK's own System.IO.Hashing.dll into eng/feed when the NuGet source lacks it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
feed="$here/feed"
read -r sdk_version sdk_root < <(dotnet --list-sdks | tail -n1)
sdk_root=${sdk_root#[}
sdk_dir="${sdk_root%]}/$sdk_version"
dll=$(find "$sdk_dir/Sdks/Microsoft.NET.Sdk/tools" -name System.IO.Hashing.dll -path '*net1*' | head -n1)
[ -n "$dll" ] || { echo "fill-feed: System.IO.Hashing.dll not found in the .NET SDK at $sdk_dir" >&2; exit 1; }
version=$(strings -el "$dll" | grep -A1 -x 'ProductVersion' | tail -n1 | cut -d+ -f1)
tfm=$(strings "$dll" | grep -oE '\.NETCoreApp,Version=v[0-9]+\.[0-9]+' | head -n1 | sed -E 's/.*v/net/')
pkg="$feed/system.io.hashing.$version.nupkg"
[ -f "$pkg" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib/$tfm"
cp "$dll" "$work/lib/$tfm/"
cat > "$work/System.IO.Hashing.nuspec" <<NUSPEC
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>System.IO.Hashing</id>
    <version>$version</version>
    <authors>Microsoft</authors>
    <license type="expression">MIT</license>
    <description>Microsoft's System.IO.Hashing $version, repacked from the .NET SDK for a NuGet mirror that lacks it.</description>
  </metadata>
</package>
NUSPEC
(cd "$work" && python3 -m zipfile -c "$pkg.tmp" lib System.IO.Hashing.nuspec)
mv "$pkg.tmp" "$pkg"
echo "fill-feed: packed System.IO.Hashing $version ($tfm) into eng/feed"
