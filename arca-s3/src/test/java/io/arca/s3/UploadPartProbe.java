package io.arca.s3;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Watches the requests a store sends: counts UploadPart calls running at once (each held for
 * {@code delayMillis}, so that a writer reaches its limit) and records every request.
 */
final class UploadPartProbe implements ExecutionInterceptor {
    private final long delayMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger parts = new AtomicInteger();
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    private volatile int failPart;

    UploadPartProbe(long delayMillis) {
        this.delayMillis = delayMillis;
    }

    /** Makes UploadPart number {@code partNumber} fail with a permanent client error. */
    UploadPartProbe failingPart(int partNumber) {
        this.failPart = partNumber;
        return this;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        requests.add(context.request());
        if (context.request() instanceof UploadPartRequest part) {
            parts.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (part.partNumber() == failPart) {
                inFlight.decrementAndGet();
                throw SdkClientException.create("probe: part " + failPart + " refused");
            }
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof UploadPartRequest) {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof UploadPartRequest part && part.partNumber() != failPart) {
            inFlight.decrementAndGet();
        }
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    int parts() {
        return parts.get();
    }

    List<SdkRequest> requests() {
        return requests;
    }
}
