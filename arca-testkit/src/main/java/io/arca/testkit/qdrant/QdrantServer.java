package io.arca.testkit.qdrant;

/** A Qdrant for tests: the {@link QdrantStandIn}, or a real one named by {@code ARCA_TEST_QDRANT_URL}. */
public interface QdrantServer extends AutoCloseable {
    /** The environment variable that names a real Qdrant to test against instead of the stand-in. */
    String URL_ENV = "ARCA_TEST_QDRANT_URL";
    /** The environment variable with that Qdrant's API key, if it needs one. */
    String API_KEY_ENV = "ARCA_TEST_QDRANT_API_KEY";

    /** Its base URL: {@code http://127.0.0.1:PORT}. */
    String url();

    /** The API key it requires, or null. */
    String apiKey();

    /** Stops a stand-in; leaves a real Qdrant running. */
    @Override
    void close();

    /**
     * The real Qdrant at {@code ARCA_TEST_QDRANT_URL} (with {@code ARCA_TEST_QDRANT_API_KEY}) when
     * that is set, else a new stand-in. Tests against either create collections with unique names
     * and delete them afterwards.
     */
    static QdrantServer start() {
        String url = System.getenv(URL_ENV);
        if (url == null || url.isBlank()) {
            return QdrantStandIn.start();
        }
        String key = System.getenv(API_KEY_ENV);
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return new QdrantServer() {
            @Override
            public String url() {
                return base;
            }

            @Override
            public String apiKey() {
                return key == null || key.isBlank() ? null : key;
            }

            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return "real Qdrant at " + base;
            }
        };
    }

    /** Whether {@link #start()} gives a real Qdrant. */
    static boolean real() {
        String url = System.getenv(URL_ENV);
        return url != null && !url.isBlank();
    }
}
