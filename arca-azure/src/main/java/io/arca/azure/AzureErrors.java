package io.arca.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageArchivedException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Turns Azure SDK failures into the storage errors of the contract. Messages name the key, the
 * container, the account or the endpoint, never a credential: the SDK's own messages (which quote
 * request details) stay in the cause only.
 */
final class AzureErrors {

    static final String CREDENTIAL_HINT = "check AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_SAS_TOKEN, or "
            + "AZURE_STORAGE_KEY with AZURE_STORAGE_ACCOUNT (or the Azure identity in use), and that it may read, "
            + "write, list and delete blobs in the container";

    private static final Set<BlobErrorCode> DENIED = Set.of(BlobErrorCode.AUTHENTICATION_FAILED,
            BlobErrorCode.AUTHORIZATION_FAILURE, BlobErrorCode.INVALID_AUTHENTICATION_INFO,
            BlobErrorCode.NO_AUTHENTICATION_INFORMATION, BlobErrorCode.AUTHORIZATION_PERMISSION_MISMATCH,
            BlobErrorCode.AUTHORIZATION_SOURCE_IPMISMATCH, BlobErrorCode.AUTHORIZATION_PROTOCOL_MISMATCH,
            BlobErrorCode.AUTHORIZATION_SERVICE_MISMATCH, BlobErrorCode.AUTHORIZATION_RESOURCE_TYPE_MISMATCH,
            BlobErrorCode.INSUFFICIENT_ACCOUNT_PERMISSIONS, BlobErrorCode.ACCOUNT_IS_DISABLED);
    private static final Set<BlobErrorCode> BUSY = Set.of(BlobErrorCode.SERVER_BUSY, BlobErrorCode.OPERATION_TIMED_OUT,
            BlobErrorCode.INTERNAL_ERROR);

    private final StorageUrl url;
    private final String account;
    private final String container;
    private final String prefix;
    private final String endpoint;

    /**
     * @param endpoint the blob service URL, without query (so without a SAS token)
     */
    AzureErrors(StorageUrl url, String account, String container, String prefix, String endpoint) {
        this.url = url;
        this.account = account;
        this.container = container;
        this.prefix = prefix;
        this.endpoint = endpoint;
    }

    /**
     * The storage error for {@code e}, raised while doing {@code action} ("read", "list", ...) on
     * {@code key} (the key, or the list prefix). Failures that do not come from the service or
     * the network are bugs and are returned as they are.
     */
    RuntimeException map(RuntimeException e, String action, String key) {
        if (e instanceof StorageException) {
            return e;
        }
        if (e instanceof BlobStorageException bse) {
            return service(bse, action, key);
        }
        if (e instanceof ClientAuthenticationException) {
            // includes azure-identity's CredentialUnavailableException: no identity was found
            return new StorageAccessException("cannot " + action + " '" + key + "' in '" + url + "': no usable azure "
                    + "credential for account '" + account + "'", CREDENTIAL_HINT, e);
        }
        if (e instanceof HttpResponseException hre && hre.getResponse() != null) {
            return status(hre.getResponse().getStatusCode(), String.valueOf(hre.getResponse().getStatusCode()),
                    action, key, e);
        }
        String reason = networkReason(e);
        if (reason != null) {
            return new StorageTransientException("cannot reach azure endpoint '" + endpoint + "' to " + action + " '"
                    + key + "': " + reason, "check the network and the account name or endpoint; transient errors "
                    + "are retried", e);
        }
        return e;
    }

    /** The error for a conditional write that found the key taken. */
    StorageAlreadyExistsException alreadyExists(String key, Throwable cause) {
        return new StorageAlreadyExistsException("object '" + key + "' already exists in '" + url + "'", cause);
    }

    StorageNotFoundException notFound(String key, Throwable cause) {
        return new StorageNotFoundException("object '" + key + "' not found in '" + url + "'", cause);
    }

    /** True for the answers to a write with {@code If-None-Match: *} on an existing blob. */
    static boolean isConditionFailed(RuntimeException e) {
        return e instanceof BlobStorageException bse
                && (bse.getStatusCode() == 412 || BlobErrorCode.BLOB_ALREADY_EXISTS.equals(bse.getErrorCode())
                        || BlobErrorCode.CONDITION_NOT_MET.equals(bse.getErrorCode()));
    }

    /** True for a 404 about the blob, not about the container. */
    static boolean isBlobMissing(RuntimeException e) {
        return e instanceof BlobStorageException bse && bse.getStatusCode() == 404
                && !BlobErrorCode.CONTAINER_NOT_FOUND.equals(bse.getErrorCode());
    }

    private RuntimeException service(BlobStorageException e, String action, String key) {
        BlobErrorCode code = e.getErrorCode();
        if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
            return new StorageAccessException("container '" + container + "' does not exist in account '" + account
                    + "'", "create it (az storage container create --account-name " + account + " --name " + container
                    + ") or fix the repository URL '" + url + "'", e);
        }
        if (BlobErrorCode.BLOB_ARCHIVED.equals(code)) {
            String blob = prefix.isEmpty() ? key : prefix + "/" + key;
            return new StorageArchivedException("object '" + key + "' in '" + url + "' is in the Archive tier and "
                    + "cannot be read", "rehydrate it first, which takes hours: az storage blob set-tier --account-name "
                    + account + " --container-name " + container + " --name '" + blob
                    + "' --tier Hot --rehydrate-priority Standard", e);
        }
        if (BlobErrorCode.INVALID_BLOCK_LIST.equals(code)) {
            // a commit of the same key discards every other writer's uncommitted blocks
            return new StorageTransientException("cannot " + action + " '" + key + "' in '" + url + "': its staged "
                    + "blocks are gone, probably discarded by a concurrent write of the same key", "write it again", e);
        }
        if (e.getStatusCode() == 404) {
            return notFound(key, e);
        }
        return status(e.getStatusCode(), code == null ? String.valueOf(e.getStatusCode()) : code.toString(), action,
                key, e);
    }

    private RuntimeException status(int status, String code, String action, String key, RuntimeException e) {
        String what = "cannot " + action + " '" + key + "' in '" + url + "'";
        BlobErrorCode blobCode = BlobErrorCode.fromString(code);
        if (status == 401 || status == 403 || DENIED.contains(blobCode)) {
            return new StorageAccessException(what + ": access to container '" + container + "' in account '" + account
                    + "' denied (" + code + ")", CREDENTIAL_HINT, e);
        }
        if (status == 408 || status == 429 || status >= 500 || BUSY.contains(blobCode)) {
            return new StorageTransientException(what + ": azure endpoint '" + endpoint + "' answered " + code + " (HTTP "
                    + status + ")", "transient errors are retried; if it persists, check the Azure status page", e);
        }
        return new StorageAccessException(what + ": azure answered " + code + " (HTTP " + status + ")",
                "check the repository URL and the account's configuration", e);
    }

    /** What went wrong on the way to the service, or null when {@code e} is not a network failure. */
    private static String networkReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return t instanceof HttpConnectTimeoutException ? "connection timed out" : "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host" + (t.getMessage() == null ? "" : " '" + t.getMessage() + "'");
            }
            if (t instanceof HttpTimeoutException || t instanceof TimeoutException
                    || t instanceof InterruptedIOException) {
                return "timed out";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                String message = t.getMessage();
                return message == null || message.isBlank() ? t.getClass().getSimpleName()
                        : message.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }
}
