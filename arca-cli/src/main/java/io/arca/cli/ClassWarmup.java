package io.arca.cli;

import io.arca.core.crypto.DecryptingInputStream;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.crypto.KeyGeneration;
import io.arca.core.crypto.KeyMaterial;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import picocli.CommandLine;

/**
 * The training run for the class-data-sharing archive that {@code ./arca} writes after each
 * build: loads the classes of every command and every storage provider, so that later runs start
 * in about half the time (the AWS, Google and Azure SDKs load thousands of classes). It prints
 * nothing and talks to nothing but a closed port on 127.0.0.1: S3 gets dummy credentials so that
 * it never asks a cloud metadata service, GCS an http endpoint (anonymous), and the Azure store is
 * only opened, not used (its default credential would look for a metadata service). OpenPGP
 * runs once in memory, with a throwaway key.
 */
final class ClassWarmup {
    private ClassWarmup() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("aws.accessKeyId", "warmup");
        System.setProperty("aws.secretAccessKey", "warmup");
        System.setProperty("aws.region", "us-east-1");
        PrintWriter sink = new PrintWriter(new StringWriter());
        Main.run(new String[] {"--help"}, sink, sink);
        // no command named: all of them registered
        CommandLine all = ArcaCommand.commandLine(new ArcaCommand(sink, sink), new String[0]);
        for (String command : all.getSubcommands().keySet()) {
            Main.run(new String[] {command, "--help"}, sink, sink);
        }
        Path empty = Files.createTempDirectory("arca-warmup");
        try {
            Main.run(new String[] {"list", "--repo", empty.resolve("none").toString()}, sink, sink);
        } finally {
            Files.deleteIfExists(empty);
        }
        encryptAndDecrypt();
        int port = closedPort();
        walRoundTrip(sink, port);
        String endpoint = "http://127.0.0.1:" + port;
        for (String url : new String[] {"s3://warmup/arca?endpoint=" + endpoint, "gs://warmup/arca?endpoint=" + endpoint,
                "azure://warmup/arca?account=warmup&endpoint=" + endpoint + "/warmup"}) {
            StorageUrl parsed = StorageUrl.parse(url);
            for (StorageProvider provider : ServiceLoader.load(StorageProvider.class)) {
                if (provider.scheme().equals(parsed.scheme())) {
                    try (Storage storage = provider.open(parsed)) {
                        if (!parsed.scheme().equals("azure")) {
                            storage.stat("arca.json");
                        }
                    } catch (RuntimeException expected) {
                        // nothing listens there: only the classes on the way matter
                    }
                }
            }
        }
    }

    /**
     * {@code wal-push} and {@code wal-fetch} (without prefetching, which would start a process) of
     * a made-up segment, in a throwaway data directory and repository: the archive_command and
     * restore_command paths, which start a JVM most often; and a physical backup as far as a
     * refused connection goes.
     */
    private static void walRoundTrip(PrintWriter sink, int closedPort) throws IOException {
        Path dir = Files.createTempDirectory("arca-warmup");
        try {
            Path pgdata = Files.createDirectories(dir.resolve("pgdata"));
            Files.createDirectories(pgdata.resolve("global"));
            Files.createDirectories(pgdata.resolve("pg_wal"));
            byte[] control = new byte[8192];
            java.nio.ByteBuffer.wrap(control).order(java.nio.ByteOrder.nativeOrder()).putLong(4242L);
            Files.write(pgdata.resolve("global/pg_control"), control);
            byte[] segment = new byte[1 << 20];
            java.nio.ByteBuffer.wrap(segment, 24, 8).order(java.nio.ByteOrder.nativeOrder()).putLong(4242L);
            String name = "000000010000000000000001";
            Files.write(pgdata.resolve("pg_wal").resolve(name), segment);
            String repo = dir.resolve("repo").toString();
            Main.run(new String[] {"init", "--repo", repo}, sink, sink);
            Main.run(new String[] {"wal-push", "pg_wal/" + name, "--pgdata", pgdata.toString(), "--repo", repo}, sink, sink);
            Main.run(new String[] {"wal-fetch", name, "pg_wal/restored", "--prefetch", "0", "--pgdata", pgdata.toString(),
                    "--repo", repo}, sink, sink);
            Main.run(new String[] {"backup", "--physical", "--db", "postgresql://warmup@127.0.0.1:" + closedPort
                    + "/warmup", "--repo", repo}, sink, sink);
            // pgjdbc, which the WAL stream of a physical backup and wal-receive connect with
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + closedPort
                    + "/warmup?user=warmup&replication=database&connectTimeout=1")) {
                c.isValid(1);
            } catch (java.sql.SQLException expected) {
                // nothing listens there
            }
        } finally {
            io.arca.core.TempFiles.deleteTree(dir);
        }
    }

    /** OpenPGP in memory: key generation, an encrypted message, and reading it back. */
    private static void encryptAndDecrypt() throws IOException {
        KeyGeneration.KeyPair pair = KeyGeneration.generate("warmup", null, new java.util.Date());
        EncryptionKeys to = EncryptionKeys.of(KeyMaterial.publicKeys(
                pair.publicKey().getBytes(java.nio.charset.StandardCharsets.UTF_8), "warmup"), null);
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream out = to.open(message, "warmup", new java.util.Date())) {
            out.write(new byte[4096]);
        }
        DecryptionKeys with = DecryptionKeys.of(KeyMaterial.privateKeys(
                pair.privateKey().getBytes(java.nio.charset.StandardCharsets.UTF_8), "warmup"), null, null);
        try (java.io.InputStream in = new DecryptingInputStream(new java.io.ByteArrayInputStream(message.toByteArray()),
                with, "warmup", null)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
