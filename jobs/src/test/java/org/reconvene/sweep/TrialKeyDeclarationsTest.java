package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.reconvene.results.ResultSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reconvene.trial.TrialConfig;
import org.reconvene.trial.TrialKey;

/** What is derived from {@link TrialKey} agrees with it, and trial ids do not move. */
class TrialKeyDeclarationsTest {

    @Test
    void configColumnsSweepKeysAndTrialMapsAreTheDeclaredKeysInOrder() {
        List<String> declared = new ArrayList<>();
        for (TrialKey k : TrialKey.values()) {
            declared.add(k.key());
            assertEquals(k.type().name(), ResultSchema.kind(k.key()).name(), k.key());
            assertEquals(k.applicability().orElse(null),
                    k.applicability().isPresent() ? ResultSchema.nullableInOkRows().get(k.key()) : null, k.key());
        }
        assertEquals(declared, ResultSchema.configColumns());
        List<String> sweepKeys = new ArrayList<>(declared);
        sweepKeys.remove("data_uri"); // from the data section, never a key of its own
        sweepKeys.remove("model_digest"); // read from the model file, never a key of its own
        assertEquals(sweepKeys, List.copyOf(SweepPoints.DEFAULTS.keySet()));
        assertFalse(SweepPoints.known("data_uri"));
        assertFalse(SweepPoints.known("model_digest"));
    }

    /** Every key is filled in some trial of a sweep over all methods and scorers, and null in one where it does not apply. */
    @Test
    void everyConditionalKeyIsNullExactlyWhereItDoesNotApply(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("all.yaml");
        Files.writeString(yaml, String.join("\n",
                "name: all-keys",
                "data:",
                "  cifar10:",
                "    uri: " + dir.resolve("data"),
                "grid:",
                "  model: [vgg16, " + org.reconvene.model.OnnxFixtures.file("dwresnet") + "]",
                "  method: [dense, upai, spai-random, spai-l1, spai-layerwise, reconvene]",
                "  scorer: [synflow, snip, grasp]",
                "  pse_criterion: [retention, density]",
                "  schedule: [constant, cosine]",
                ""));
        List<TrialConfig> trials = SweepSpec.load(yaml).trials();
        for (TrialKey k : TrialKey.values()) {
            boolean filled = false;
            boolean empty = false;
            for (TrialConfig t : trials) {
                Object v = t.toMap().get(k.key());
                assertEquals(k.appliesTo(t), v != null, k.key() + " in " + t.toMap());
                filled |= v != null;
                empty |= v == null;
            }
            assertTrue(filled, k.key() + " is never filled");
            assertEquals(k.applicability().isPresent(), empty, k.key() + ": null somewhere iff it declares where it applies");
        }
    }

    @Test
    void defaultsComeFromTheLibraryBuilders() {
        Map<String, Object> d = TrialKey.defaults();
        assertNull(d.get("model"));
        assertNull(d.get("method"));
        assertEquals(0.9, d.get("sparsity"));
        assertEquals("synflow", d.get("scorer"));
        assertEquals(org.reconvene.structured.ReconveneSettings.defaults().tau(), d.get("pse_tau"));
        assertEquals(org.reconvene.train.TrainingConfig.builder().build().epochs(), d.get("epochs"));
        for (TrialKey k : TrialKey.values()) {
            if (k.defaultValue().isPresent()) {
                assertNotNull(SweepPoints.DEFAULTS.get(k.key()), k.key());
            }
        }
    }

    /**
     * The id of a trial of the recorded Fashion-MNIST sweep (docs/RESULTS.md). If it moves, every
     * stored result stops being recognised by {@code --resume}: a change to {@link TrialKey} must
     * keep it.
     */
    @Test
    void aRecordedTrialKeepsItsId(@TempDir Path dir) throws Exception {
        SweepSpec spec = SweepSpec.load(Path.of("../conf/sweeps/paper-fashion.yaml"));
        TrialConfig dense = spec.trials().get(0);
        assertEquals("dense", dense.toMap().get("method"));
        assertEquals("22513dfc4a02752d", dense.trialId());
        assertFalse(spec.trials().stream().anyMatch(t -> t != dense && t.trialId().equals(dense.trialId())));
    }
}
