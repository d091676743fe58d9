package io.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.testkit.storage.StorageContractSuite;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage contract against real Amazon S3 (or any S3 service), with the credentials of the
 * environment (the SDK's default chain). Runs only when {@code ARCA_TEST_S3_URL} names a bucket
 * and prefix, such as {@code s3://my-test-bucket/arca-ci?region=eu-west-1}; each run writes under
 * a new sub-prefix and deletes what it wrote. The lifecycle test changes the bucket's lifecycle
 * configuration and runs only with {@code ARCA_TEST_S3_LIFECYCLE=true} as well.
 */
class S3StorageCloudIT extends StorageContractSuite {

    private static final String URL_VARIABLE = "ARCA_TEST_S3_URL";
    private static final String RUN = LocalDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")) + "-" + ProcessHandle.current().pid();
    private static final AtomicInteger STORES = new AtomicInteger();

    @BeforeAll
    static void requireCloud() {
        assumeTrue(System.getenv(URL_VARIABLE) != null && !System.getenv(URL_VARIABLE).isBlank(),
                URL_VARIABLE + " is not set: set it to s3://bucket/prefix (and AWS credentials in the environment)"
                        + " to run the storage contract against real S3");
    }

    @Override
    protected Storage createStorage() {
        return new S3Storage(url("run-" + RUN + "/" + STORES.incrementAndGet()));
    }

    @AfterEach
    void deleteWhatTheTestWrote() {
        if (storage != null) {
            for (ObjectInfo object : storage.list("")) {
                storage.delete(object.key());
            }
        }
    }

    @Test
    void lifecycleRuleIsAppliedAndReadBack() {
        assumeTrue("true".equals(System.getenv("ARCA_TEST_S3_LIFECYCLE")), "ARCA_TEST_S3_LIFECYCLE is not"
                + " true: set it to let this test add a rule (expire after 1 day) for its prefix to the bucket");
        // a fixed prefix: every run replaces the same rule instead of adding one
        try (S3Storage lifecycle = new S3Storage(url("lifecycle-test"))) {
            LifecycleRule rule = new LifecycleRule(lifecycle.ruleId(), lifecycle.rulePrefix(), OptionalInt.empty(),
                    null, OptionalInt.of(1));

            lifecycle.apply(rule);
            lifecycle.apply(rule);

            assertThat(lifecycle.rules(lifecycle.rulePrefix())).contains(rule);
        }
    }

    /** The URL of {@code subPrefix} under the prefix of {@value #URL_VARIABLE}, keeping its options. */
    private static StorageUrl url(String subPrefix) {
        StorageUrl base = StorageUrl.parse(System.getenv(URL_VARIABLE));
        String path = base.path().isEmpty() ? subPrefix : base.path() + "/" + subPrefix;
        return new StorageUrl(base.scheme(), base.authority(), path, base.query());
    }
}
