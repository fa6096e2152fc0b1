package org.reconvene.deploy;

import java.util.Arrays;
import org.reconvene.data.ImageDataset;
import org.reconvene.data.Normalization;

/**
 * What an exported graph does to its input before the network sees it, so that a device feeds it
 * plain pixels on the [0, 1] scale, {@code storedSide} square: zero-pad them, centred, to the
 * model's input size (Fashion-MNIST's 28x28 to 32x32, as {@code data.IdxReader} does), then
 * subtract each channel's {@code mean} and divide by its {@code std} (the training split's
 * statistics, as the batch sampler does).
 */
public record InputTransform(float[] mean, float[] std, int storedSide) {

    /** Validates. */
    public InputTransform {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length
                    + " and " + std.length);
        }
        if (storedSide < 1) {
            throw new IllegalArgumentException("storedSide must be positive, got " + storedSide);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The transform of {@code ds}: its training split's statistics and the side its images are stored at. */
    public static InputTransform of(ImageDataset ds) {
        Normalization n = ds.train().normalization();
        return new InputTransform(n.means(), n.stds(), ds.storedSide());
    }

    /** Mean 0, std 1, no padding: the graph takes already normalised input of {@code side} square. */
    public static InputTransform identity(int channels, int side) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new InputTransform(new float[channels], ones, side);
    }

    /** The file in a saved network's directory that records its input transform. */
    public static final String FILE = "input.json";

    /** Writes {@code dir/input.json}, so a saved network can be exported without its data. */
    public void write(java.nio.file.Path dir) {
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        com.google.gson.JsonArray m = new com.google.gson.JsonArray();
        com.google.gson.JsonArray s = new com.google.gson.JsonArray();
        for (int c = 0; c < mean.length; c++) {
            m.add(mean[c]);
            s.add(std[c]);
        }
        o.add("mean", m);
        o.add("std", s);
        o.addProperty("stored_side", storedSide);
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.writeString(dir.resolve(FILE), o.toString() + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }

    /**
     * Reads {@code dir/input.json}, or empty when there is none.
     *
     * @throws IllegalArgumentException naming the file when it exists but is not a transform
     */
    public static java.util.Optional<InputTransform> read(java.nio.file.Path dir) {
        java.nio.file.Path f = dir.resolve(FILE);
        if (!java.nio.file.Files.exists(f)) {
            return java.util.Optional.empty();
        }
        try {
            com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(f))
                    .getAsJsonObject();
            com.google.gson.JsonArray m = o.getAsJsonArray("mean");
            com.google.gson.JsonArray s = o.getAsJsonArray("std");
            float[] mean = new float[m.size()];
            float[] std = new float[s.size()];
            for (int c = 0; c < mean.length; c++) {
                mean[c] = m.get(c).getAsFloat();
            }
            for (int c = 0; c < std.length; c++) {
                std[c] = s.get(c).getAsFloat();
            }
            return java.util.Optional.of(new InputTransform(mean, std, o.get("stored_side").getAsInt()));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException(f + " is not an input transform (mean, std, stored_side): "
                    + e.getMessage());
        }
    }

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }
}
