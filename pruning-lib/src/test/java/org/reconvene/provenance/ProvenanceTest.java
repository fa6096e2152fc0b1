package org.reconvene.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Provenance capture, its diff, and the seed split. */
class ProvenanceTest {

    @Test
    void diffNamesExactlyTheFieldsThatDiffer() {
        Map<String, Object> a = Provenance.capture("exec-1", Instant.EPOCH).toMap();
        Map<String, Object> b = new LinkedHashMap<>(a);
        b.put("executor", "exec-2");
        b.put("threads", 99);
        assertEquals(Set.of("executor", "threads"), Provenance.diff(a, b));
        assertEquals(Set.of(), Provenance.diff(a, new LinkedHashMap<>(a)));
        assertEquals("2.7.1", a.get("pytorch_version"));
    }

    @Test
    void seedStreamsAreIndependentAndStable() {
        assertEquals(Seeds.derive(7, Seeds.INIT), Seeds.derive(7, Seeds.INIT));
        assertNotEquals(Seeds.derive(7, Seeds.INIT), Seeds.derive(7, Seeds.TRAIN_DATA));
        assertNotEquals(Seeds.derive(7, Seeds.INIT), Seeds.derive(8, Seeds.INIT));
    }
}
