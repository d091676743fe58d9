package io.arca.core.repo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JSON mapping of repository files. Unknown properties are ignored so that older Arca versions
 * can read manifests that newer ones extended (the format version guards real incompatibilities).
 */
public final class RepositoryJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));

    private RepositoryJson() {
    }

    /**
     * Builds the mapper and its readers and writers of the files every command touches
     * ({@code arca.json}, leases, manifests) ahead of use. Jackson's first use of a type costs
     * tens of milliseconds of class loading and reflection; {@code Main} runs this on a thread of
     * its own while the command line is parsed, on a core that is idle then. Never fails.
     */
    public static void warmUp() {
        try {
            for (Class<?> type : new Class<?>[] {RepositoryConfig.class, io.arca.core.repo.lease.LeaseRecord.class,
                    BackupManifest.class}) {
                // both prefetch their root (de)serializer (EAGER_*_FETCH, on by default)
                MAPPER.readerFor(type);
                MAPPER.writerFor(type);
            }
        } catch (RuntimeException | LinkageError e) {
            // only a head start: the real use reports any problem
        }
    }

    /** The shared mapper (thread-safe once configured). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(InputStream in, Class<T> type) throws IOException {
        return MAPPER.readValue(in, type);
    }
}
