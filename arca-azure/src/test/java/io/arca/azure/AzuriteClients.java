package io.arca.azure;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.arca.testkit.azure.AzuriteServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Setup helpers: SDK clients for an Azurite server, and a policy that watches the requests sent. */
final class AzuriteClients {
    private AzuriteClients() {
    }

    /** A client of {@code container} that makes one attempt per call, with {@code watch} in its pipeline. */
    static BlobContainerClient container(AzuriteServer server, String container, RequestWatch watch) {
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .connectionString(server.connectionString())
                .httpClient(new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(5)).build())
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, (Integer) null, null, null, null));
        if (watch != null) {
            builder.addPolicy(watch);
        }
        return builder.buildClient().getBlobContainerClient(container);
    }

    /** Counts requests by method and {@code comp} parameter and the most Put Block requests in flight at once. */
    static final class RequestWatch extends HttpPipelineSyncPolicy {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        private final AtomicInteger blocksInFlight = new AtomicInteger();
        private final AtomicInteger maxBlocksInFlight = new AtomicInteger();

        @Override
        protected void beforeSendingRequest(HttpPipelineCallContext context) {
            String comp = comp(context);
            counts.computeIfAbsent(context.getHttpRequest().getHttpMethod() + " " + comp, c -> new AtomicInteger())
                    .incrementAndGet();
            if (comp.equals("block")) {
                maxBlocksInFlight.accumulateAndGet(blocksInFlight.incrementAndGet(), Math::max);
            }
        }

        @Override
        protected HttpResponse afterReceivedResponse(HttpPipelineCallContext context, HttpResponse response) {
            if (comp(context).equals("block")) {
                blocksInFlight.decrementAndGet();
            }
            return response;
        }

        /** Requests sent with {@code method} and {@code comp=name} ("list", "block", "blocklist", or "" for none). */
        int count(String method, String comp) {
            AtomicInteger count = counts.get(method + " " + comp);
            return count == null ? 0 : count.get();
        }

        int maxBlocksInFlight() {
            return maxBlocksInFlight.get();
        }

        private static String comp(HttpPipelineCallContext context) {
            String query = context.getHttpRequest().getUrl().getQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    if (pair.startsWith("comp=")) {
                        return pair.substring(5);
                    }
                }
            }
            return "";
        }
    }
}
