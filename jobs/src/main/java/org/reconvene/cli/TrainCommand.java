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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains a dense model from scratch and writes its accuracy, history and metrics. */
@Command(name = "train", mixinStandardHelpOptions = true, defaultValueProvider = TrialDefaults.class,
        description = "Train a model on a dataset and write DIR/summary.json (accuracy, history, metrics).")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model name (see `models`); required unless --init-model is given.")
    String model;

    @Option(names = "--init-model",
            description = "Start from a saved network (e.g. DIR/model written by `prune`), masks included, instead of a fresh one.")
    Path initModel;

    @Option(names = "--data", required = true,
            description = "Dataset directory or Hadoop URI (file:, hdfs:, s3a:).")
    String data;

    @Option(names = "--dataset", description = "Expected dataset name; checked against the files.")
    String dataset;

    @Mixin TrainingOptions training;

    @Option(names = "--latency-runs",
            description = "Timed runs per latency measurement (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        Instant started = Instant.now();
        if ((model == null) == (initModel == null)) {
            throw new IllegalArgumentException("give exactly one of --model and --init-model");
        }
        ImageDataset ds = dataset == null ? DatasetLoader.load(data) : DatasetLoader.load(data, dataset);
        TrainingConfig config = training.config();
        Network start;
        if (initModel != null) {
            start = NetworkStore.load(initModel);
        } else {
            Architecture arch = Architectures.get(model);
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
            summary.put("top1", r.top1());
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
        System.out.printf("top1 %.4f (best %.4f), loss %.4f, train %d ms -> %s%n",
                summary.get("top1"), summary.get("top1_best"), summary.get("loss"), summary.get("train_ms"),
                out.resolve("summary.json"));
        return 0;
    }

    /** Options shared by every command that trains. */
    static final class TrainingOptions {
        @Option(names = "--epochs", description = "Epochs (default ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--batch", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--lr", description = "Learning rate (default ${DEFAULT-VALUE}).")
        double lr;

        @Option(names = "--momentum", description = "SGD momentum (default ${DEFAULT-VALUE}).")
        double momentum;

        @Option(names = "--nesterov", description = "Use Nesterov momentum.")
        boolean nesterov;

        @Option(names = "--weight-decay",
                description = "Weight decay (default ${DEFAULT-VALUE}).")
        double weightDecay;

        @Option(names = "--schedule",
                description = "Learning-rate schedule: constant, step, cosine (default ${DEFAULT-VALUE}).")
        String schedule;

        @Option(names = "--schedule-granularity",
                description = "How often the rate moves: batch (before every batch, so short runs anneal) or epoch "
                        + "(once per epoch, as before 0.2) (default ${DEFAULT-VALUE}).")
        String scheduleGranularity;

        @Option(names = "--max-batches",
                description = "Cap on training batches per epoch, 0 for all (default ${DEFAULT-VALUE}).")
        int maxBatches;

        @Option(names = "--max-eval-batches", defaultValue = "0",
                description = "Cap on evaluation batches, 0 for all (default ${DEFAULT-VALUE}).")
        int maxEvalBatches;

        @Option(names = "--no-augment", description = "Disable random crop and flip.")
        boolean noAugment;

        @Option(names = "--seed", description = "Trial seed (default ${DEFAULT-VALUE}).")
        long seed;

        TrainingConfig config() {
            return TrainingConfig.builder()
                    .optEpochs(epochs)
                    .optBatchSize(batch)
                    .optLearningRate(lr)
                    .optMomentum(momentum)
                    .optNesterov(nesterov)
                    .optWeightDecay(weightDecay)
                    .optSchedule(LearningRateSchedule.parse(schedule))
                    .optScheduleGranularity(LearningRateSchedule.Granularity.parse(scheduleGranularity))
                    .optMaxBatchesPerEpoch(maxBatches)
                    .optMaxEvalBatches(maxEvalBatches)
                    .optAugment(!noAugment)
                    .optSeed(seed)
                    .build();
        }
    }
}
