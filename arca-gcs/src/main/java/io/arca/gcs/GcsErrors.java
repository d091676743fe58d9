package io.arca.gcs;

import com.google.cloud.BaseServiceException;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns the failures of google-cloud-storage ({@link com.google.cloud.storage.StorageException},
 * and {@link IOException}s from its channels) into the errors of the storage contract, by HTTP
 * status: 401 and 403 are credentials or permissions, 404 is the object or the bucket (the caller
 * says which), 412 is a failed if-absent precondition, 408, 429 and 5xx and network failures are
 * transient, anything else is permanent.
 */
final class GcsErrors {

    /** What a 404 of the failed call means. */
    enum Subject {
        /** The object is missing (reads, stat, delete). */
        OBJECT,
        /** The bucket is missing (listing and writing, which need no existing object). */
        BUCKET
    }

    static final String CREDENTIALS_HINT = "check GOOGLE_APPLICATION_CREDENTIALS (a service account key file), or run "
            + "`gcloud auth application-default login`";

    private static final String SERVICE_HINT = "transient failures are retried; if this one persists, see "
            + "https://status.cloud.google.com";

    private final StorageUrl url;
    private final String bucket;
    private final String endpoint;

    /**
     * @param url the store, for messages
     * @param bucket its bucket
     * @param endpoint the service's root URL, named by network errors
     */
    GcsErrors(StorageUrl url, String bucket, String endpoint) {
        this.url = Objects.requireNonNull(url, "url");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * The contract's error for a failed call.
     *
     * @param action what was attempted, such as {@code read} ("cannot read 'key'")
     * @param key the key or prefix concerned, or null for the bucket itself
     * @param failure a {@link BaseServiceException}, or an {@link IOException} that may wrap one
     */
    StorageException translate(String action, String key, Exception failure, Subject subject) {
        BaseServiceException service = serviceException(failure);
        if (service == null) {
            return unreachable(action, key, failure);
        }
        int code = service.getCode();
        String what = what(action, key);
        String detail = detail(service);
        return switch (code) {
            case 401 -> new StorageAccessException(what + ": google cloud storage did not accept the credentials ("
                    + detail + ")", CREDENTIALS_HINT, failure);
            case 403 -> new StorageAccessException(what + ": permission denied (" + detail + ")",
                    "grant the account of the application default credentials access to bucket '" + bucket + "'; "
                            + CREDENTIALS_HINT, failure);
            case 404 -> subject == Subject.BUCKET ? bucketMissing(failure) : objectMissing(key, failure);
            case 412 -> new StorageAlreadyExistsException("object '" + key + "' already exists in '" + url + "'",
                    failure);
            case 408, 429 -> new StorageTransientException(what + ": google cloud storage at '" + endpoint
                    + "' asks to slow down (" + detail + ")", SERVICE_HINT, failure);
            // no HTTP answer: the library wraps network failures
            case 0 -> service.getCause() instanceof IOException ? unreachable(action, key, failure)
                    : service.isRetryable() ? new StorageTransientException(what + ": " + detail, failure)
                    : new StorageAccessException(what + ": " + detail, null, failure);
            default -> code >= 500 || service.isRetryable()
                    ? new StorageTransientException(what + ": google cloud storage at '" + endpoint + "' failed ("
                            + detail + ")", SERVICE_HINT, failure)
                    : new StorageAccessException(what + ": google cloud storage refused it (" + detail + ")",
                            "check the repository URL '" + url + "' and its options", failure);
        };
    }

    /** The error for a bucket that does not exist. */
    StorageAccessException bucketMissing(Throwable cause) {
        return new StorageAccessException("bucket '" + bucket + "' of '" + url + "' does not exist",
                "create it (gcloud storage buckets create gs://" + bucket + ") or correct the repository URL", cause);
    }

    /** The error for an object that does not exist. */
    StorageNotFoundException objectMissing(String key, Throwable cause) {
        return new StorageNotFoundException("object '" + key + "' not found in '" + url + "'", cause);
    }

    private StorageTransientException unreachable(String action, String key, Exception failure) {
        Throwable network = failure;
        while (network.getCause() != null && !(network instanceof ConnectException
                || network instanceof SocketTimeoutException || network instanceof UnknownHostException)) {
            network = network.getCause();
        }
        String reason = network instanceof UnknownHostException ? "unknown host '" + network.getMessage() + "'"
                : lowercase(network.getMessage() == null ? network.getClass().getSimpleName() : network.getMessage());
        return new StorageTransientException(what(action, key) + ": cannot reach google cloud storage at '" + endpoint
                + "' (" + reason + ")", "check the network and the endpoint option of the repository URL", failure);
    }

    private String what(String action, String key) {
        return "cannot " + action + (key == null ? "" : " '" + key + "'") + " in '" + url + "'";
    }

    private static BaseServiceException serviceException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BaseServiceException service) {
                return service;
            }
        }
        return null;
    }

    /** The status and the first line of the service's message, which may go on with the request. */
    private static String detail(BaseServiceException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline).strip();
        String status = e.getCode() == 0 ? "" : e.getCode() + (first.isEmpty() ? "" : " ");
        if (first.startsWith(String.valueOf(e.getCode()))) {
            status = "";
        }
        String text = status + lowercase(first);
        return text.isEmpty() ? e.getClass().getSimpleName() : text;
    }

    private static String lowercase(String text) {
        if (text.isEmpty() || text.length() > 1 && Character.isUpperCase(text.charAt(1))) {
            return text; // keep acronyms such as "GET"
        }
        return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}
