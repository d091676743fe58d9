#!/bin/sh
# Lays out the distribution and packs it: called by the arca-dist build (package phase) after the
# shaded jar is in $STAGE/arca-$VERSION/lib/arca.jar. Makes the jlinked runtime, the tarball
# $TARBALL and the Debian package $DEB. Inputs come as environment variables (see pom.xml).
set -eu

top="$STAGE/arca-$VERSION"
debversion=$(printf '%s' "$VERSION" | sed 's/-/~/')
[ -f "$top/lib/arca.jar" ] || { echo "dist.sh: no $top/lib/arca.jar (the shade step runs first)" >&2; exit 1; }

# -- the runtime: the modules of $MODULES, without the desktop natives that link X11, ALSA,
#    FreeType, libjpeg and LittleCMS (jdeps finds java.desktop needed; nothing in Arca draws), with the default
#    CDS archive of the JDK's own classes
rm -rf "$top/runtime" "$top/bin" "$top/share" "$top/lib/systemd" "$top/lib/arca.jsa"
"$JDK_HOME/bin/jlink" --add-modules "$MODULES" \
  --exclude-files='**/libawt_xawt.so,**/libjawt.so,**/libsplashscreen.so,**/libfontmanager.so,**/libjavajpeg.so,**/libjsound.so,**/liblcms.so' \
  --strip-debug --no-man-pages --no-header-files \
  --compress=2 --generate-cds-archive --output "$top/runtime"
# the archive for heaps over 32 GB (no compressed oops): 10 MB that such a JVM can start without
rm -f "$top/runtime/lib/server/classes_nocoops.jsa"

# -- the launcher, man pages, completion, units and docs
mkdir -p "$top/bin" "$top/share/man/man1" "$top/share/bash-completion/completions" "$top/lib/systemd/system" \
  "$top/share/doc/arca/examples"
cp "$SRC/bin/arca" "$top/bin/arca"
chmod 0755 "$top/bin/arca"
ls "$DOCS"/man/*.1 >/dev/null
cp "$DOCS"/man/*.1 "$top/share/man/man1/"
cp "$DOCS/bash-completion/arca" "$top/share/bash-completion/completions/arca"
cp "$UNITS"/*.service "$UNITS"/*.timer "$top/lib/systemd/system/"
cp "$INSTALL_MD" "$top/share/doc/arca/install.md"
cp "$SRC/doc/copyright" "$top/share/doc/arca/copyright"
cp "$SRC/doc/arca.yaml" "$top/share/doc/arca/examples/arca.yaml"
find "$top" -type d -exec chmod 0755 {} +
find "$top/share" "$top/lib" -type f -exec chmod 0644 {} +

# -- the tarball: one top folder, owned by root
rm -f "$TARBALL"
(cd "$STAGE" && tar --sort=name --owner=0 --group=0 --numeric-owner -cf - "arca-$VERSION") | gzip -9 >"$TARBALL"

# -- the Debian package: /usr/lib/arca/{bin,lib,runtime}, the rest where Debian keeps it
root="$STAGE/deb"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/usr/lib/arca/lib" "$root/usr/bin" "$root/usr/share/man/man1" \
  "$root/usr/share/bash-completion/completions" "$root/lib/systemd/system" "$root/usr/share/doc/arca/examples"
cp -a "$top/bin" "$top/runtime" "$root/usr/lib/arca/"
cp -a "$top/lib/arca.jar" "$root/usr/lib/arca/lib/"
ln -s ../lib/arca/bin/arca "$root/usr/bin/arca"
for page in "$top"/share/man/man1/*.1; do
  gzip -9n <"$page" >"$root/usr/share/man/man1/$(basename "$page").gz"
done
cp -a "$top/share/bash-completion/completions/arca" "$root/usr/share/bash-completion/completions/"
cp -a "$top"/lib/systemd/system/* "$root/lib/systemd/system/"
cp -a "$top/share/doc/arca/copyright" "$top/share/doc/arca/install.md" "$root/usr/share/doc/arca/"
cp -a "$top/share/doc/arca/examples/arca.yaml" "$root/usr/share/doc/arca/examples/"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$debversion/" -e "s/@SIZE@/$size/" "$SRC/deb/control" >"$root/DEBIAN/control"
for script in postinst prerm postrm; do
  cp "$SRC/deb/$script" "$root/DEBIAN/$script"
  chmod 0755 "$root/DEBIAN/$script"
done
find "$root" -type d -exec chmod 0755 {} +
rm -f "$DEB"
dpkg-deb --root-owner-group -Zxz --build "$root" "$DEB" >/dev/null
