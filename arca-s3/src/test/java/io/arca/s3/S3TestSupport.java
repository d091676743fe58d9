package io.arca.s3;

import io.arca.core.storage.StorageUrl;
import io.arca.testkit.s3.S3Server;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** Setup for tests against an {@link S3Server}: stores with the server's keys, and a plain S3 client to look behind them. */
final class S3TestSupport {
    private S3TestSupport() {
    }

    static StaticCredentialsProvider credentials(S3Server server) {
        return credentials(server.accessKey(), server.secretKey());
    }

    static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    /** A store at {@code prefix} of {@code bucket}; {@code query} adds URL options ({@code &part-size=5MiB}). */
    static S3Storage open(S3Server server, String bucket, String prefix, String query) {
        return open(server, bucket, prefix, query, overrides -> {
        });
    }

    static S3Storage open(S3Server server, String bucket, String prefix, String query,
            Consumer<ClientOverrideConfiguration.Builder> overrides) {
        return new S3Storage(StorageUrl.parse(server.url(bucket, prefix) + query), credentials(server), overrides);
    }

    /** A client that sees the bucket as it is, multipart uploads included. */
    static S3Client rawClient(S3Server server) {
        return S3Client.builder()
                .httpClient(Apache5HttpClient.create())
                .credentialsProvider(credentials(server))
                .region(Region.of(server.region()))
                .endpointOverride(server.endpoint())
                .forcePathStyle(true)
                .build();
    }

    /** Multipart uploads that were started and neither completed nor aborted. */
    static List<MultipartUpload> pendingUploads(S3Client raw, String bucket) {
        return raw.listMultipartUploads(b -> b.bucket(bucket)).uploads();
    }
}
