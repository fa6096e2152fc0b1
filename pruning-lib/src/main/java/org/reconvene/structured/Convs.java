package org.reconvene.structured;

import java.util.ArrayList;
import java.util.List;
import org.reconvene.model.Layer;

/** The convolutions of a layer graph in graph order (a residual's main path, then its shortcut). */
final class Convs {

    private Convs() {}

    static List<Layer.Conv> of(List<Layer> layers) {
        List<Layer.Conv> out = new ArrayList<>();
        for (Layer l : Layer.flatten(layers)) {
            if (l instanceof Layer.Conv c) {
                out.add(c);
            }
        }
        return out;
    }
}
