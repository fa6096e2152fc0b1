package org.reconvene.trial;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.reconvene.data.DatasetLoader;
import org.reconvene.data.ImageDataset;

/**
 * Loads each dataset once per JVM and shares it between the trials that run there.
 *
 * <p>Datasets are immutable once loaded, so concurrent trials may read the same instance; a
 * failed load is not cached, so a later trial retries it.
 */
public final class DatasetCache {

    private final Map<String, ImageDataset> loaded = new ConcurrentHashMap<>();

    /** The dataset at {@code uri}, checked to be {@code name}; images in class folders at {@code side}. */
    public ImageDataset get(String name, String uri, int side) {
        return loaded.computeIfAbsent(name + "\n" + uri + "\n" + side, k -> DatasetLoader.load(uri, name, side));
    }
}
