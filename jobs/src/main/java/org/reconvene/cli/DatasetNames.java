package org.reconvene.cli;

import java.util.Iterator;
import org.reconvene.data.Dataset;

/** The dataset names, for {@code ${COMPLETION-CANDIDATES}} in option help: from {@link Dataset}, never typed again. */
final class DatasetNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Dataset.names().iterator();
    }
}
