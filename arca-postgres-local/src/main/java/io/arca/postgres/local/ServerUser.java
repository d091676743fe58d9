package io.arca.postgres.local;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;

/**
 * Who runs PostgreSQL server programs. The server refuses to run as root, so when the JVM runs as
 * root ({@link #jvmIsRoot()}) server programs run as the {@value #OS_USER} user through {@code
 * runuser}, on files that user owns ({@link Owner#chownTree}).
 */
public final class ServerUser {
    /** The OS user that runs servers when the JVM is root. */
    public static final String OS_USER = "postgres";

    private ServerUser() {
    }

    /** Whether this JVM runs as root. */
    public static boolean jvmIsRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (LinkageError | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * The {@value #OS_USER} user and group.
     *
     * @throws ArcaException TOOL_NOT_FOUND when there is no such user
     */
    public static Owner postgres() {
        UserPrincipalLookupService lookup = Path.of("/").getFileSystem().getUserPrincipalLookupService();
        try {
            UserPrincipal user = lookup.lookupPrincipalByName(OS_USER);
            GroupPrincipal group;
            try {
                group = lookup.lookupPrincipalByGroupName(OS_USER);
            } catch (UserPrincipalNotFoundException e) {
                group = null;
            }
            return new Owner(user, group);
        } catch (UserPrincipalNotFoundException e) {
            throw new ArcaException(ErrorCode.TOOL_NOT_FOUND,
                    "cannot run PostgreSQL as root and there is no '" + OS_USER + "' user to run it as",
                    "install the PostgreSQL server package (it creates the user), or run as a non-root user");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A builder for {@code program}, run as {@value #OS_USER} through {@code runuser} when {@code
     * asPostgres}, else directly.
     */
    public static ToolProcess.Builder command(Path program, boolean asPostgres) {
        if (asPostgres) {
            return ToolProcess.builder(runuser()).args("-u", OS_USER, "--", program.toString());
        }
        return ToolProcess.builder(program);
    }

    private static String runuser() {
        for (String candidate : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "runuser";
    }

    /** An OS user (and group, when there is one). */
    public record Owner(UserPrincipal user, GroupPrincipal group) {
        /** Makes this owner own {@code path} (not following a symbolic link). */
        public void chown(Path path) throws IOException {
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            view.setOwner(user);
            if (group != null) {
                view.setGroup(group);
            }
        }

        /** Makes this owner own {@code root} and everything under it (links themselves, not their targets). */
        public void chownTree(Path root) throws IOException {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    chown(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    chown(file);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }
}
