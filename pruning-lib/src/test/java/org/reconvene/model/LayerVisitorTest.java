package org.reconvene.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LayerVisitorTest {

    @Test
    void everyPermittedKindHasExactlyOneVisitorMethod() {
        Set<Class<?>> kinds = Set.of(Layer.class.getPermittedSubclasses());
        List<Class<?>> visited = Arrays.stream(Layer.Visitor.class.getDeclaredMethods())
                .filter(m -> !m.isSynthetic())
                .map(m -> m.getParameterTypes()[0])
                .collect(Collectors.toList());
        assertEquals(kinds, Set.copyOf(visited), "Visitor methods against Layer's permits");
        assertEquals(kinds.size(), visited.size(), "one method per kind");
        for (Method m : Layer.Visitor.class.getDeclaredMethods()) {
            assertTrue(!m.isDefault(), m.getName() + " must not have a default: a new kind must be handled");
        }
    }

    @Test
    void flattenListsResidualMainBeforeShortcutAndDropsTheBlock() {
        Layer.Conv a = new Layer.Conv("a", 1, 4, 3, 1, 1, false, "a");
        Layer.Conv m = new Layer.Conv("m", 4, 4, 3, 1, 1, false, "a");
        Layer.Conv s = new Layer.Conv("s", 4, 4, 1, 1, 0, false, "a");
        Layer.Residual r = new Layer.Residual("r", List.of(m, new Layer.Relu()), List.of(s));
        List<Layer> flat = Layer.flatten(List.of(a, r, new Layer.GlobalAvgPool()));
        assertEquals(List.of(a, m, new Layer.Relu(), s, new Layer.GlobalAvgPool()), flat);
    }

    @Test
    void tensorNamesComeFromOnePlaceAndMatchTheParameterList() {
        Layer.Conv c = new Layer.Conv("conv1", 1, 4, 3, 1, 1, true, "conv1");
        Layer.BatchNorm b = new Layer.BatchNorm("bn1", 4);
        List<String> names = ParameterInfo.describe(List.of(c, b)).stream().map(ParameterInfo::name).toList();
        assertEquals(List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                "bn1.running_var"), names);
        assertEquals(List.of(c.weightName(), c.biasName(), b.gammaName(), b.betaName(), b.runningMeanName(),
                b.runningVarName()), names);
    }
}
