package org.reconvene.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/sweeps/own-images.yaml as shipped, pointed at class folders: every method runs on them, the
 * rows name the dataset {@code images}, and each exported model lists the labels (folder names,
 * sorted) in its metadata.
 */
class OwnImagesSweepTest extends SparkTestBase {

    private static void classFolders(Path root) throws Exception {
        String[] classes = {"tulip", "daisy", "rose"};
        Color[] colours = {Color.RED, Color.YELLOW, Color.PINK};
        for (String split : new String[] {"train", "val"}) {
            for (int c = 0; c < classes.length; c++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(classes[c]));
                for (int i = 0; i < (split.equals("train") ? 6 : 2); i++) {
                    BufferedImage img = new BufferedImage(40 + 9 * i, 30 + 5 * c, BufferedImage.TYPE_INT_RGB);
                    Graphics2D g = img.createGraphics();
                    g.setColor(colours[c]);
                    g.fillOval(i, c, 20 + i, 15);
                    g.dispose();
                    ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", dir.resolve(i + (i % 2 == 0 ? ".png" : ".jpg"))
                            .toFile());
                }
            }
        }
    }

    @Test
    void theShippedSweepRunsOnClassFoldersAndRecordsTheLabels(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("flowers");
        classFolders(images);
        String yaml = Files.readString(Path.of("..", "conf", "sweeps", "own-images.yaml"))
                .replace("/path/to/your/images", images.toString())
                // the shipped training, shortened for a test
                .replace("epochs: 5", "epochs: 1\n  max_batches: 1\n  synflow_rounds: 2")
                .replace("latency_runs: 10", "latency_runs: 1");
        SweepSpec spec = SweepSpec.parse(yaml, "own-images.yaml", dir);
        Path results = dir.resolve("results");
        SweepJob.Outcome o = SweepJob.run(spark, spec, new SweepJob.Options(results.toString(), false, false, 0));
        assertEquals(3, o.ran());
        assertEquals(0, o.failed());
        for (Row r : rows(results.toString(), "own-images").collectAsList()) {
            assertEquals("images", r.getAs("dataset"));
            assertEquals("OK", r.getAs("status"), String.valueOf((Object) r.getAs("error_message")));
        }
        List<Path> models;
        try (Stream<Path> s = Files.walk(results)) {
            models = s.filter(p -> p.toString().endsWith(".onnx")).toList();
        }
        assertEquals(3, models.size());
        for (Path m : models) {
            String labels = ModelProto.parseFrom(Files.readAllBytes(m)).getMetadataPropsList().stream()
                    .filter(e -> e.getKey().equals("labels")).map(StringStringEntryProto::getValue).findFirst()
                    .orElseThrow();
            assertEquals("[\"daisy\",\"rose\",\"tulip\"]", labels);
        }
    }

    @Test
    void aMissingImageFolderIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        SweepSpec spec = SweepSpec.parse(Files.readString(Path.of("..", "conf", "sweeps", "own-images.yaml")),
                "own-images.yaml", dir);
        SweepSpecException e = org.junit.jupiter.api.Assertions.assertThrows(SweepSpecException.class,
                () -> SweepJob.run(spark, spec, new SweepJob.Options(dir.resolve("results").toString(), false, false,
                        0)));
        assertTrue(e.getMessage().contains("'data.images.uri'") && e.getMessage().contains("/path/to/your/images"),
                e.getMessage());
        assertTrue(!Files.exists(dir.resolve("results")));
    }
}
