package org.reconvene.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.reconvene.data.DatasetLoader;
import org.reconvene.data.ImageDataset;
import org.reconvene.metrics.Measurements;
import org.reconvene.model.Architecture;
import org.reconvene.model.Architectures;
import org.reconvene.model.ModelSpec;
import org.reconvene.model.Network;
import org.reconvene.model.NetworkStore;
import org.reconvene.provenance.Provenance;
import org.reconvene.provenance.Seeds;
import org.reconvene.train.LearningRateSchedule;
import org.reconvene.train.NetworkTrainer;
import org.reconvene.train.TrainingConfig;
import org.reconvene.train.TrainingResult;
import org.reconvene.trial.TrialConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains a dense model from scratch and writes its accuracy, history and metrics. */
@Command(name = "train", mixinStandardHelpOptions = true, defaultValueProvider = TrialDefaults.class,
        resourceBundle = TrialOptions.HELP,
        description = "Train a model on a dataset and write DIR/summary.json (accuracy, history, metrics).")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model name (see `models`), or the path or URI of an ONNX file whose "
            + "architecture to import; required unless --init-model is given.")
    String model;

    @Option(names = "--init-model",
            description = "Start from a saved network (e.g. DIR/model written by `prune`), masks included, instead of a fresh one.")
    Path initModel;

    @Option(names = "--data", required = true,
            description = "Dataset directory or Hadoop URI (file:, hdfs:, s3a:).")
    String data;

    @Option(names = "--dataset", completionCandidates = DatasetNames.class,
            description = "Expected dataset name (${COMPLETION-CANDIDATES}); checked against the files.")
    String dataset;

    @Mixin TrainingOptions training;

    @Option(names = "--latency-runs",
            description = "Timed runs per latency measurement (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @CommandLine.Spec CommandLine.Model.CommandSpec command;

    /** The training settings: the trial-key options by one loop over the declarations, and the evaluation cap. */
    TrainingConfig trainingConfig() {
        TrialConfig.Builder b = TrialOptions.read(command);
        b.training().optMaxEvalBatches(training.maxEvalBatches);
        return b.buildTraining();
    }

    @Override
    public Integer call() {
        Instant started = Instant.now();
        if ((model == null) == (initModel == null)) {
            throw new IllegalArgumentException("give exactly one of --model and --init-model");
        }
        // names first: a misspelled model or dataset is refused before any file is read
        Architecture arch = model == null ? null : Architectures.get(model);
        if (dataset != null) {
            org.reconvene.data.Dataset.of(dataset);
        }
        // class-folder images resize to the model's input side
        int side = arch != null ? arch.inputSize() : NetworkStore.readSpec(initModel).inputSize();
        ImageDataset ds = dataset == null ? DatasetLoader.load(data, side) : DatasetLoader.load(data, dataset, side);
        TrainingConfig config = trainingConfig();
        Network start;
        if (initModel != null) {
            start = NetworkStore.load(initModel);
        } else {
            start = Network.builder().setSpec(arch.defaultSpec(ds.numClasses(), ds.channels()))
                    .optSeed(Seeds.derive(config.seed(), Seeds.INIT)).build();
        }
        ModelSpec spec = start.spec();
        try {
            org.reconvene.trial.InputFit.check(spec, ds);
        } catch (IllegalArgumentException e) {
            start.close();
            throw e;
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        try (Network net = start) {
            TrainingResult r;
            try (ConsoleProgress progress = ConsoleProgress.open("train", "batches")) {
                r = new NetworkTrainer(config).onProgress(progress).train(net, ds);
            }
            summary.put("model", spec.arch());
            summary.put("init_model", initModel == null ? null : initModel.toString());
            summary.put("dataset", ds.name());
            summary.put("data", data);
            summary.put("num_classes", ds.numClasses());
            summary.put("class_names", ds.classNames()); // label order: logit i is class_names[i]
            summary.put("top1", r.top1());
            // a capped evaluation measures a subset: say so wherever the figure goes
            summary.put("eval_subset", training.maxEvalBatches > 0 ? "the first " + training.maxEvalBatches
                    + " batches of the test split only" : null);
            summary.put("top1_best", r.top1Best());
            summary.put("top5", r.top5());
            summary.put("loss", r.loss());
            summary.put("train_ms", r.trainMs());
            summary.put("eval_ms", r.evalMs());
            summary.put("history", r.history());
            summary.putAll(Measurements.of(net, latencyRuns).toMap());
            org.reconvene.deploy.InputTransform input = org.reconvene.deploy.InputTransform.of(ds);
            summary.putAll(org.reconvene.deploy.OnnxMeasurements.of(net, input, latencyRuns).toMap());
            summary.put("config", config);
            summary.put("provenance", Provenance.capture("driver", started).toMap());
            NetworkStore.save(net, out.resolve("model"));
            input.write(out.resolve("model"));
        }
        Json.write(out.resolve("summary.json"), summary);
        System.out.printf("top1 %.4f (best %.4f)%s, loss %.4f, train %d ms -> %s%n",
                summary.get("top1"), summary.get("top1_best"), summary.get("eval_subset") == null ? ""
                        : " on " + summary.get("eval_subset"), summary.get("loss"), summary.get("train_ms"),
                out.resolve("summary.json"));
        return 0;
    }

    /** Options shared by every command that trains; their help and defaults come from {@link org.reconvene.trial.TrialKey}. */
    static final class TrainingOptions {
        @Option(names = "--epochs")
        int epochs;

        @Option(names = "--batch")
        int batch;

        @Option(names = "--lr")
        double lr;

        @Option(names = "--momentum")
        double momentum;

        @Option(names = "--nesterov")
        boolean nesterov;

        @Option(names = "--weight-decay")
        double weightDecay;

        @Option(names = "--schedule")
        String schedule;

        @Option(names = "--schedule-granularity")
        String scheduleGranularity;

        @Option(names = "--max-batches")
        int maxBatches;

        @Option(names = "--max-eval-batches", defaultValue = "0",
                description = "Cap on evaluation batches, 0 for all; the top-1 is then of a subset, and marked so "
                        + "(default ${DEFAULT-VALUE}).")
        int maxEvalBatches;

        @Option(names = "--augment", negatable = true, fallbackValue = "true")
        boolean augment;

        @Option(names = "--seed")
        long seed;
    }
}
