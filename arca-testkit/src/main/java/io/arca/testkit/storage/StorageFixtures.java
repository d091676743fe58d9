package io.arca.testkit.storage;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Setup helpers for storage tests: writing and reading whole objects, seeded data, digests. */
public final class StorageFixtures {
    private StorageFixtures() {
    }

    /** Writes and commits {@code data} under {@code key}, replacing any object there. */
    public static ObjectInfo write(Storage storage, String key, byte[] data) {
        return write(storage, key, data, WriteOptions.DEFAULT);
    }

    /** Writes and commits {@code data} under {@code key} with {@code options}. */
    public static ObjectInfo write(Storage storage, String key, byte[] data, WriteOptions options) {
        try (StorageWriter writer = storage.openWrite(key, options)) {
            writer.write(data);
            return writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole object. */
    public static byte[] read(Storage storage, String key) {
        return read(storage, key, ReadRange.ALL);
    }

    /** The bytes of {@code range}. */
    public static byte[] read(Storage storage, String key, ReadRange range) {
        try (InputStream in = storage.openRead(key, range)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256 of the whole object, read as a stream (hex). */
    public static String sha256(Storage storage, String key) {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = storage.openRead(key)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of {@code data} (hex). */
    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    /** {@code size} bytes drawn from {@code random}. */
    public static byte[] randomBytes(Random random, int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return data;
    }

    /** The keys of {@code objects}, in order. */
    public static List<String> keys(List<ObjectInfo> objects) {
        return objects.stream().map(ObjectInfo::key).toList();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
