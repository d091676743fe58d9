package io.arca.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage.BucketField;
import com.google.cloud.storage.Storage.BucketGetOption;
import io.arca.core.storage.BucketLifecycle;
import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageUrl;
import io.arca.testkit.storage.StorageContractSuite;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage contract against real Google Cloud Storage, in a new prefix per test under
 * {@code ARCA_TEST_GCS_URL} ({@code gs://bucket/prefix}, options allowed), with application default
 * credentials. Each test deletes what it wrote. With {@code ARCA_TEST_GCS_LIFECYCLE=true} it also
 * adds lifecycle rules for a test prefix to the bucket and restores the bucket's rules afterwards.
 */
class GcsStorageCloudIT extends StorageContractSuite {

    private static final String URL_ENV = "ARCA_TEST_GCS_URL";
    private static final String LIFECYCLE_ENV = "ARCA_TEST_GCS_LIFECYCLE";

    private static StorageUrl base;
    private final List<Storage> stores = new ArrayList<>();

    @BeforeAll
    static void requireGcs() {
        String url = System.getenv(URL_ENV);
        assumeTrue(url != null && !url.isBlank(), URL_ENV + " is not set (gs://bucket/prefix with application default "
                + "credentials): skipping the storage contract against real Google Cloud Storage");
        try {
            GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            assumeTrue(false, "no application default credentials (GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth "
                    + "application-default login`): skipping the storage contract against real Google Cloud Storage");
        }
        base = StorageUrl.parse(url);
    }

    @Override
    protected Storage createStorage() {
        Storage store = new GcsStorageProvider().open(under("it-" + UUID.randomUUID()));
        stores.add(store);
        return store;
    }

    /** A URL below the base prefix, keeping its options. */
    private static StorageUrl under(String child) {
        String path = base.path().isEmpty() ? child : base.path() + "/" + child;
        return new StorageUrl("gs", base.authority(), path, base.query());
    }

    @AfterEach
    void deleteWhatWasWritten() {
        for (Storage store : stores) {
            try (Storage cleaner = new GcsStorageProvider().open(store.url())) {
                for (ObjectInfo object : cleaner.list("")) {
                    cleaner.delete(object.key());
                }
            }
        }
        stores.clear();
    }

    @Test
    void missingBucketIsAnAccessError() {
        String bucket = "arca-missing-" + UUID.randomUUID();
        try (Storage store = new GcsStorageProvider().open(StorageUrl.parse("gs://" + bucket + "/x"))) {
            assertThatThrownBy(() -> store.list("")).isInstanceOf(StorageAccessException.class)
                    .hasMessage("bucket '" + bucket + "' of 'gs://" + bucket + "/x' does not exist");
            assertThatThrownBy(() -> store.stat("arca.json")).isInstanceOf(StorageAccessException.class)
                    .hasMessageContaining("does not exist");
        }
    }

    @Test
    void lifecycleRulesRoundTrip() {
        assumeTrue("true".equals(System.getenv(LIFECYCLE_ENV)), LIFECYCLE_ENV + " is not true: not changing the "
                + "lifecycle rules of the test bucket");
        GcsStorage store = (GcsStorage) storage;
        com.google.cloud.storage.Storage client = GcsClients.create(store.options());
        List<? extends BucketInfo.LifecycleRule> before = lifecycleBucket(client).getLifecycleRules();
        try {
            LifecycleRule rule = new LifecycleRule(store.ruleId(), store.rulePrefix(), OptionalInt.of(30), "COLDLINE",
                    OptionalInt.of(365));

            store.capability(BucketLifecycle.class).orElseThrow().apply(rule);

            assertThat(store.rules(store.rulePrefix())).contains(rule);
        } finally {
            BucketInfo.Builder restore = lifecycleBucket(client).toBuilder();
            if (before == null || before.isEmpty()) {
                restore.deleteLifecycleRules();
            } else {
                restore.setLifecycleRules(before);
            }
            client.update(restore.build());
        }
    }

    /** The bucket with only its lifecycle and metageneration, so that an update sends only those. */
    private static Bucket lifecycleBucket(com.google.cloud.storage.Storage client) {
        return client.get(base.authority(), BucketGetOption.fields(BucketField.LIFECYCLE, BucketField.METAGENERATION));
    }
}
