package io.arca.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.arca.app.json.AppJson;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The API's JSON: the application's one mapper ({@link AppJson}: what {@code --output json}
 * prints, ISO-8601 instants, absent rather than null fields), written compact.
 */
final class ApiJson {
    private static final ObjectWriter WRITER = AppJson.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);

    private ApiJson() {
    }

    static ObjectMapper mapper() {
        return AppJson.mapper();
    }

    static byte[] write(Object value) {
        try {
            return WRITER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
