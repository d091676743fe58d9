package io.arca.s3;

import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageArchivedException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns AWS SDK failures into the storage errors of the contract: one lowercase line naming the
 * bucket, key or service, and a hint saying what to do. Permanent causes (missing bucket, refused
 * credentials, bad configuration) become {@link StorageAccessException}; throttling, server errors,
 * timeouts and network failures become {@link StorageTransientException}.
 */
final class S3Errors {

    private static final Set<String> CREDENTIAL_CODES = Set.of("AccessDenied", "InvalidAccessKeyId",
            "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled",
            "AccountProblem", "InvalidSecurity");
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "RequestTimeout", "InternalError",
            "ServiceUnavailable", "Throttling", "ThrottlingException", "RequestLimitExceeded", "Busy",
            "RequestTimeoutException", "TooManyRequests", "BadDigest", "IncompleteBody");
    private static final Set<String> REGION_CODES = Set.of("PermanentRedirect", "AuthorizationHeaderMalformed",
            "IllegalLocationConstraintException", "IncorrectEndpoint");

    private final String bucket;
    private final String keyPrefix;
    private final String url;
    private final String service;

    /**
     * @param bucket the bucket, for messages
     * @param keyPrefix the store's prefix in the bucket ({@code prefix/} or empty), for commands in hints
     * @param url the store's URL (never holds credentials)
     * @param service the service for messages: {@code 'http://host:port'} or {@code AWS S3 (region 'x')}
     */
    S3Errors(String bucket, String keyPrefix, String url, String service) {
        this.bucket = bucket;
        this.keyPrefix = keyPrefix;
        this.url = url;
        this.service = service;
    }

    /**
     * The storage error for a failed call.
     *
     * @param action what was tried, as a verb phrase for "cannot ... 'key'" ({@code read}, {@code list})
     * @param key the key or key prefix it was tried on
     */
    StorageException map(SdkException e, String action, String key) {
        if (e instanceof AwsServiceException service) {
            return mapService(service, action, key);
        }
        return mapClient(e, action, key);
    }

    StorageNotFoundException notFound(String key, Throwable cause) {
        return new StorageNotFoundException("object '" + key + "' not found in '" + url + "'", cause);
    }

    StorageAlreadyExistsException alreadyExists(String key, Throwable cause) {
        return new StorageAlreadyExistsException("object '" + key + "' already exists in '" + url + "'", cause);
    }

    /** True when a conditional write lost: the key exists, or another conditional write on it is running. */
    static boolean isConditionalConflict(SdkException e) {
        return e instanceof AwsServiceException service
                && (service.statusCode() == 412 || "ConditionalRequestConflict".equals(code(service)));
    }

    /** True when the service said the object does not exist (HEAD answers 404 without a code). */
    static boolean isNotFound(SdkException e) {
        return e instanceof AwsServiceException service && service.statusCode() == 404
                && !"NoSuchBucket".equals(code(service)) && !"NoSuchUpload".equals(code(service));
    }

    /** True when a ranged read started at or past the end of an existing object. */
    static boolean isInvalidRange(SdkException e) {
        return e instanceof AwsServiceException service && service.statusCode() == 416;
    }

    static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : e.awsErrorDetails().errorCode();
    }

    private StorageException mapService(AwsServiceException e, String action, String key) {
        String code = code(e);
        int status = e.statusCode();
        String what = what(action, key);
        String detail = code.isEmpty() ? "HTTP " + status : code + " (HTTP " + status + ")";
        if (code.equals("NoSuchBucket")) {
            return new StorageAccessException("bucket '" + bucket + "' does not exist" + at(),
                    "create it (aws s3 mb s3://" + bucket + ") or fix the repository URL '" + url + "'", e);
        }
        if (code.equals("InvalidObjectState")) {
            return new StorageArchivedException("object '" + key + "' in '" + url
                    + "' is in an archive storage class and must be restored before it can be read",
                    "restore it with: aws s3api restore-object --bucket " + bucket + " --key '" + keyPrefix + key + "'"
                            + " --restore-request Days=7 (restores take hours, Deep Archive up to two days)", e);
        }
        if (code.equals("NoSuchKey") || (status == 404 && code.isEmpty())) {
            return notFound(key, e);
        }
        if (REGION_CODES.contains(code) || status == 301) {
            String region = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null ? null
                    : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
            String where = region == null ? "another region" : "region '" + region + "'";
            return new StorageAccessException("bucket '" + bucket + "' is in " + where + ", not the client's ("
                    + detail + ")", "add ?region=" + (region == null ? "<the bucket's region>" : region)
                    + " to the repository URL or set AWS_REGION", e);
        }
        if (code.equals("RequestTimeTooSkewed")) {
            return new StorageAccessException(what + ": this machine's clock is too far from the service's time ("
                    + detail + ")", "set the clock right (use NTP)", e);
        }
        if (CREDENTIAL_CODES.contains(code) || status == 401 || status == 403) {
            return new StorageAccessException("access denied to bucket '" + bucket + "' (" + detail + "): " + what,
                    credentialsHint(code), e);
        }
        if (TRANSIENT_CODES.contains(code) || status >= 500 && status != 501 || status == 429) {
            return new StorageTransientException(what + ": " + service + " answered " + detail + message(e),
                    "this may pass; retry later", e);
        }
        if (status == 501 || code.equals("NotImplemented")) {
            return new StorageAccessException(what + ": " + service + " does not implement it (" + detail + ")",
                    "this S3-compatible service lacks the feature; use AWS S3 or a service that has it", e);
        }
        return new StorageAccessException(what + ": " + detail + message(e), null, e);
    }

    private StorageException mapClient(SdkException e, String action, String key) {
        String what = what(action, key);
        if (e instanceof AbortedException || hasCause(e, InterruptedException.class)
                || Thread.currentThread().isInterrupted()) {
            // the SDK reports an interrupt as an abort; the caller's loop must still see it
            Thread.currentThread().interrupt();
            return new StorageTransientException(what + ": interrupted", null, e);
        }
        // read and connect timeouts (java.net's and Apache's) are InterruptedIOExceptions
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
                || hasCause(e, InterruptedIOException.class)) {
            return new StorageTransientException(what + ": " + service + " timed out", reachHint(), e);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("Unable to load credentials")) {
            return new StorageAccessException("no AWS credentials found for bucket '" + bucket + "': " + what,
                    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance or"
                            + " task role", e);
        }
        SSLHandshakeException tls = cause(e, SSLHandshakeException.class);
        if (tls != null) {
            return new StorageAccessException(what + ": TLS handshake with " + service + " failed: "
                    + lower(tls.getMessage()), "check the endpoint's certificate and that the URL's scheme is right", e);
        }
        IOException io = cause(e, IOException.class);
        if (io != null) {
            return new StorageTransientException(what + ": cannot reach " + service + ": " + reason(io), reachHint(), e);
        }
        return new StorageAccessException(what + ": " + lower(message), null, e);
    }

    /** "cannot list 's3://b/p'" for the whole store, "cannot read 'k' in 's3://b/p'" for a key. */
    private String what(String action, String key) {
        return "cannot " + action + " '" + (key.isEmpty() ? url + "'" : key + "' in '" + url + "'");
    }

    private String at() {
        return service.startsWith("'") ? " at " + service : "";
    }

    private String reachHint() {
        return "check that " + service + " is the right endpoint and reachable from here; the operation can be retried";
    }

    private String credentialsHint(String code) {
        return switch (code) {
            case "InvalidAccessKeyId" -> "the access key is unknown to " + service
                    + ": check AWS_ACCESS_KEY_ID (or the profile named by AWS_PROFILE)";
            case "SignatureDoesNotMatch" -> "the secret key does not match the access key: check"
                    + " AWS_SECRET_ACCESS_KEY (or the profile named by AWS_PROFILE)";
            case "ExpiredToken", "InvalidToken", "TokenRefreshRequired" -> "the session credentials expired or are"
                    + " invalid: refresh them (AWS_SESSION_TOKEN, aws sso login, or the profile named by AWS_PROFILE)";
            default -> "check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and that"
                    + " they may list, read, write and delete in '" + url + "'";
        };
    }

    private static String message(AwsServiceException e) {
        String text = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return text == null || text.isBlank() ? "" : ": " + lower(text);
    }

    private static String reason(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host '" + e.getMessage() + "'";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        String text = e.getMessage();
        return text == null || text.isBlank() ? e.getClass().getSimpleName() : lower(text);
    }

    private static String lower(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String line = text.lines().findFirst().orElse("").trim();
        return line.isEmpty() ? "" : line.substring(0, 1).toLowerCase(Locale.ROOT) + line.substring(1);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        return cause(e, type) != null;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
