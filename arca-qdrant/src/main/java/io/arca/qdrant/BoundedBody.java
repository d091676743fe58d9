package io.arca.qdrant;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A response body read as a stream whose every read waits at most a bounded time: a Qdrant that
 * stops sending mid-download fails the read with the error {@code stalled} gives, rather than
 * hanging the backup (the HTTP client's request timeout ends when the headers arrive). One buffer
 * list is requested at a time, so memory stays at what the client hands over in one go.
 */
final class BoundedBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();

    private final long idleNanos;
    private final Supplier<? extends RuntimeException> stalled;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<InputStream> body = CompletableFuture.completedFuture(this);
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> buffers = Collections.emptyIterator();
    private ByteBuffer current;
    private boolean ended;
    private boolean closed;

    BoundedBody(java.time.Duration idle, Supplier<? extends RuntimeException> stalled) {
        this.idleNanos = idle.toNanos();
        this.stalled = stalled;
    }

    /** A body handler giving such a stream for every response. */
    static HttpResponse.BodyHandler<InputStream> handler(java.time.Duration idle,
            Supplier<? extends RuntimeException> stalled) {
        return info -> new BoundedBody(idle, stalled);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (buffers.hasNext()) {
                current = buffers.next();
                continue;
            }
            if (ended) {
                return -1;
            }
            Object item;
            try {
                item = queue.poll(idleNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new InterruptedIOException("interrupted while reading from qdrant");
            }
            if (item == null) {
                cancel();
                throw stalled.get();
            }
            if (item == END) {
                ended = true;
                return -1;
            }
            if (item instanceof Throwable t) {
                ended = true;
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) item;
            buffers = list.iterator();
            subscription.request(1);
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    /** Reads the rest, up to {@code max} bytes (an error body). */
    byte[] readAtMost(int max) throws IOException {
        byte[] all = readNBytes(max);
        close();
        return all;
    }

    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (!ended) {
                cancel();
            }
        }
    }
}
