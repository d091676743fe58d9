/**
 * The {@code files} source: named files and directories ({@code secrets/}, {@code .env}, a
 * Compose project's configuration) stored as one POSIX (pax) tar per named path beside the
 * database, with modes, owners, mtimes and symbolic links kept, so that {@code zstd -d | tar -x}
 * restores them by hand. {@link io.arca.files.FilesSource} is the {@link
 * io.arca.core.source.BackupSource}; {@link io.arca.files.TreeArchiver} writes a tree into a tar,
 * {@link io.arca.files.TreeRestore} brings one back without ever leaving half of it, and {@link
 * io.arca.files.TarWriter}/{@link io.arca.files.TarReader} are the tar format itself.
 */
package io.arca.files;
