package org.reconvene.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads the Tiny ImageNet folder layout: {@code wnids.txt} fixes the class order,
 * {@code train/<wnid>/images/} holds the training images and {@code val/} (used as the test split)
 * holds images listed with their wnid in {@code val/val_annotations.txt}.
 *
 * <p>Stateless; used by {@link DatasetLoader}. All file names are collected and validated first,
 * so a bad annotation fails before minutes of decoding; images are then decoded in parallel, each
 * into its own slot, so the result does not depend on thread scheduling.
 */
final class TinyImageNetReader {

    static final int SIZE = 64;
    static final int CHANNELS = 3;

    private TinyImageNetReader() {
    }

    static ImageDataset read(FileSystem fs, Path root, String name) {
        Path wnidsFile = new Path(root, "wnids.txt");
        List<String> wnids = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        List<String> lines = HadoopFiles.readLines(fs, wnidsFile);
        for (int i = 0; i < lines.size(); i++) {
            String id = lines.get(i).strip();
            if (id.isEmpty()) {
                continue;
            }
            if (index.putIfAbsent(id, wnids.size()) != null) {
                throw new IllegalArgumentException("duplicate wnid '" + id + "' at line " + (i + 1) + " of " + wnidsFile);
            }
            wnids.add(id);
        }
        if (wnids.isEmpty()) {
            throw new IllegalArgumentException("no class ids in " + wnidsFile);
        }
        List<String> classNames = classNames(fs, root, wnids);

        List<Path> trainFiles = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        for (int c = 0; c < wnids.size(); c++) {
            Path dir = new Path(root, "train/" + wnids.get(c) + "/images");
            HadoopFiles.requireDirectory(fs, dir);
            int before = trainFiles.size();
            for (FileStatus st : HadoopFiles.listVisible(fs, dir)) {
                if (st.isFile() && ImageCodec.isImageFileName(st.getPath().getName())) {
                    trainFiles.add(st.getPath());
                    trainLabels.add(c);
                }
            }
            if (trainFiles.size() == before) {
                // a class the model would be asked to predict but never sees in training
                throw new IllegalArgumentException("class " + wnids.get(c) + " (listed in " + wnidsFile
                        + ") has no training images in " + dir);
            }
        }
        Path annotations = new Path(root, "val/val_annotations.txt");
        Path valImages = new Path(root, "val/images");
        List<Path> testFiles = new ArrayList<>();
        List<Integer> testLabels = new ArrayList<>();
        List<String> ann = HadoopFiles.readLines(fs, annotations);
        for (int i = 0; i < ann.size(); i++) {
            String line = ann.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t");
            if (fields.length < 2 || fields[0].isBlank() || fields[1].isBlank()) {
                throw new IllegalArgumentException("malformed line " + (i + 1) + " of " + annotations
                        + ": expected 'file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1', got '" + line + "'");
            }
            String wnid = fields[1].strip();
            Integer c = index.get(wnid);
            if (c == null) {
                throw new IllegalArgumentException("unknown wnid '" + wnid + "' at line " + (i + 1) + " of "
                        + annotations + " (not listed in " + wnidsFile + ")");
            }
            testFiles.add(new Path(valImages, fields[0].strip()));
            testLabels.add(c);
        }
        if (testFiles.isEmpty()) {
            throw new IllegalArgumentException("empty test split: no annotated images in " + annotations);
        }

        ImageSplit train = decodeAll(fs, trainFiles, trainLabels, wnids.size());
        ImageSplit test = decodeAll(fs, testFiles, testLabels, wnids.size());
        return new ImageDataset(name, classNames, train, test, root.toString());
    }

    /** Names from {@code words.txt} when present (first name wins), else the wnid itself. */
    private static List<String> classNames(FileSystem fs, Path root, List<String> wnids) {
        Path words = new Path(root, "words.txt");
        Map<String, String> byId = new HashMap<>();
        if (HadoopFiles.isFile(fs, words)) {
            for (String line : HadoopFiles.readLines(fs, words)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    byId.putIfAbsent(line.substring(0, tab).strip(), line.substring(tab + 1).strip());
                }
            }
        }
        List<String> names = new ArrayList<>(wnids.size());
        for (String id : wnids) {
            String n = byId.get(id);
            names.add(n == null || n.isEmpty() ? id : n);
        }
        return names;
    }

    private static ImageSplit decodeAll(FileSystem fs, List<Path> files, List<Integer> labelList, int numClasses) {
        int n = files.size();
        int bytes = CHANNELS * SIZE * SIZE;
        if ((long) n * bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(n + " images are more than one byte array can hold");
        }
        byte[] pixels = new byte[n * bytes];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = labelList.get(i);
        }
        org.reconvene.engine.ComputePool.forEach(n, i -> {
            Path p = files.get(i);
            byte[] data = HadoopFiles.readAll(fs, p);
            ImageCodec.decodeRgb(data, p.toString(), SIZE, pixels, i * bytes);
        });
        return new ImageSplit(CHANNELS, SIZE, SIZE, numClasses, pixels, labels);
    }
}
