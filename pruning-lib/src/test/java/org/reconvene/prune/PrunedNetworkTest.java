package org.reconvene.prune;

import org.reconvene.metrics.Metric;
import org.reconvene.metrics.MetricValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;

/** The prune-and-measure entry point: what it builds, what it measures, and that it closes all of it. */
class PrunedNetworkTest {

    private static final ModelSpec SPEC = Architectures.get("resnet20").defaultSpec(10);

    private static PrunedNetwork prune(String method, List<Network> seen) {
        PruningConfig c = PruningConfig.builder().setMethod(PruningMethod.parse(method)).optSparsity(0.9)
                .optScorer("magnitude").build();
        return PrunedNetwork.builder().setSpec(SPEC).setConfig(c).setSeed(3).optOnInit(seen::add).build();
    }

    @Test
    void eachMethodGivesItsNetworksAndCloseFreesThemAll() {
        for (String method : new String[] {"upai", "spai-l1", "reconvene"}) {
            List<Network> init = new ArrayList<>();
            Network pruned;
            try (PrunedNetwork p = prune(method, init)) {
                assertEquals(1, init.size());
                pruned = p.network();
                MetricValues m = p.measure(1);
                assertTrue(m.has(Metric.PARAMS_NONZERO) && m.has(Metric.LATENCY_MS_B1), m.toString());
                if (method.equals("upai")) {
                    assertSame(init.get(0), pruned, "unstructured methods mask the initial network");
                    assertNull(p.counterpart());
                } else {
                    assertNotSame(init.get(0), pruned, method + " builds a narrower network");
                }
                if (method.equals("reconvene")) {
                    assertSame(init.get(0), p.counterpart(), "the initial network is left as the counterpart");
                    assertNotNull(m.get(Metric.SIZE_RATIO));
                }
            }
            assertFalse(init.get(0).manager().isOpen(), method + ": initial network closed");
            assertFalse(pruned.manager().isOpen(), method + ": pruned network closed");
        }
    }

    @Test
    void aDataDrivenScorerWithoutDataIsRefused() {
        PruningConfig snip = PruningConfig.builder().setMethod(PruningMethod.UPAI).optScorer("snip").build();
        assertTrue(snip.needsData());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrunedNetwork.builder().setSpec(SPEC).setConfig(snip).setSeed(0).build());
        assertTrue(e.getMessage().contains("snip"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrunedNetwork.builder().setSpec(SPEC).setSeed(0).build());
    }
}
