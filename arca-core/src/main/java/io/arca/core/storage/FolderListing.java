package io.arca.core.storage;

import java.util.List;

/**
 * One level of the key hierarchy at a time, offered through {@link Storage#capability(Class)} by
 * stores whose service lists with a delimiter (S3). Listing the folders of a level costs one
 * request per thousand folders however many keys lie below them, so a caller that needs every key
 * below a deep prefix can list the folders level by level and then the deepest folders at once,
 * rather than page through every key in one sequence.
 */
public interface FolderListing {

    /**
     * The folders directly below {@code prefix} (empty, or ending in {@code /}): each distinct
     * {@code prefix + segment + "/"} that some committed key starts with, sorted by key. Keys at
     * the level itself are not returned. Like {@link Storage#list}, consistent with committed
     * writes on stores with {@link StorageFeature#CONSISTENT_LIST}.
     */
    List<String> folders(String prefix);
}
