package io.arca.core.storage.local;

import io.arca.core.error.UsageException;
import io.arca.core.storage.StorageUrl;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;
import java.util.stream.Stream;

/**
 * Who may read a local repository, decided by {@code arca init}: the root's mode (objects and
 * folders follow it, see {@link LocalFileStorage}) and its owner ({@code --owner}, for the OS user
 * that runs {@code wal-push} from PostgreSQL's {@code archive_command}).
 */
public final class LocalRepositoryAccess {
    private LocalRepositoryAccess() {
    }

    /**
     * Gives an existing root that holds no repository yet the repository's folder mode (a
     * directory made beforehand, often {@code 0755}); a missing root is created with it by the
     * first write. An existing repository is left as it is.
     */
    public static void prepareRoot(StorageUrl url) throws IOException {
        Path root = url.filePath().toAbsolutePath().normalize();
        if (!Files.isDirectory(root) || Files.exists(root.resolve("arca.json"))
                || !root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        LocalFileStorage store = new LocalFileStorage(url);
        Files.setPosixFilePermissions(root, store.folderModeForNewRoot());
    }

    /** The OS user {@code name}; a usage error naming it when there is none. */
    public static UserPrincipal user(String name) {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        try {
            return lookup.lookupPrincipalByName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new UsageException("--owner '" + name + "': no such user on this host", "give an existing OS user,"
                    + " such as postgres (the user PostgreSQL runs as)", e);
        } catch (IOException e) {
            throw new UsageException("--owner '" + name + "': cannot look the user up: " + e.getMessage(), null, e);
        }
    }

    /**
     * Makes {@code owner} (and its group of the same name, where there is one) own {@code root} and
     * everything below it; symbolic links themselves, never what they point to.
     */
    public static void chown(Path root, UserPrincipal owner) throws IOException {
        GroupPrincipal group = null;
        try {
            group = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(owner.getName());
        } catch (UserPrincipalNotFoundException e) {
            // no group of that name: the files keep theirs
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.toList();
        }
        for (Path p : all) {
            PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            view.setOwner(owner);
            if (group != null) {
                view.setGroup(group);
            }
        }
    }
}
