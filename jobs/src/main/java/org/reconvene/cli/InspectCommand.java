package org.reconvene.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.reconvene.metrics.LayerProfile;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.ImportedArchitecture;
import org.reconvene.model.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.reconvene.data.Dataset;

/** Prints a model's layers with channels, params and MACs, and the totals. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's layers: kind, channels, params and MACs, with totals.")
final class InspectCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model name (see `models`), or the path or URI of an ONNX file whose architecture to import.")
    String model;

    @Option(names = "--dataset", required = true, completionCandidates = DatasetNames.class,
            description = "Dataset name: ${COMPLETION-CANDIDATES}.")
    String dataset;

    @Option(names = "--json", description = "Print JSON with keys params, prunable, macs, layers.")
    boolean json;

    @Override
    public Integer call() {
        Architecture arch = Architectures.get(model);
        arch.requireSupports(dataset);
        Dataset d = Dataset.of(dataset);
        ModelSpec spec = arch.defaultSpec(d.classes(), d.channels());
        String input = spec.inputChannels() + "x" + spec.inputSize() + "x" + spec.inputSize()
                + (d.channels() == 1 ? " (grayscale 28x28 images zero-padded to 32x32)" : "");
        LayerProfile p = LayerProfile.of(spec, arch.build(spec));
        if (json) {
            List<Map<String, Object>> layers = new ArrayList<>();
            for (LayerProfile.Row r : p.rows()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("kind", r.kind());
                m.put("in_channels", r.inChannels());
                m.put("out_channels", r.outChannels());
                m.put("out_size", r.outSize());
                m.put("params", r.params());
                m.put("macs", r.macs());
                layers.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", model);
            out.put("dataset", dataset);
            if (arch instanceof ImportedArchitecture imported) {
                out.put("architecture", imported.name());
                out.put("model_digest", imported.digest());
            }
            out.put("input", input);
            out.put("params", p.params());
            out.put("prunable", p.prunable());
            out.put("macs", p.macs());
            out.put("layers", layers);
            System.out.println(Json.GSON.toJson(out));
            return 0;
        }
        System.out.printf("%s on %s: input %s%n", model, dataset, input);
        if (arch instanceof ImportedArchitecture imported) {
            System.out.printf("imported as %s (opset %d, SHA-256 %s); the file's own input has %d channels and its "
                    + "classifier %d classes: the stem takes the dataset's channels and the classifier its classes%n",
                    imported.name(), imported.opset(), imported.digest(), imported.fileInputChannels(),
                    imported.fileClasses());
        }
        System.out.printf("%-26s %-10s %6s %6s %5s %12s %14s%n", "layer", "kind", "in", "out", "map",
                "params", "macs");
        for (LayerProfile.Row r : p.rows()) {
            System.out.printf("%-26s %-10s %6d %6d %5d %12d %14d%n", r.name(), r.kind(), r.inChannels(),
                    r.outChannels(), r.outSize(), r.params(), r.macs());
        }
        System.out.printf("total: params %d (prunable %d), MACs %d%n", p.params(), p.prunable(), p.macs());
        return 0;
    }
}
