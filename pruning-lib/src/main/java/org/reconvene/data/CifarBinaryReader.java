package org.reconvene.data;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads the CIFAR-10 and CIFAR-100 binary formats: fixed-size records of label byte(s) followed by
 * a 3x32x32 image already in CHW order, which is exactly {@link ImageSplit}'s layout.
 *
 * <p>Stateless; used by {@link DatasetLoader}.
 */
final class CifarBinaryReader {

    static final int SIZE = 32;
    static final int CHANNELS = 3;
    static final int IMAGE_BYTES = CHANNELS * SIZE * SIZE;

    private static final Pattern DATA_BATCH = Pattern.compile("data_batch_(\\d+)\\.bin");
    /** Records read per call, so a 150 MB file never needs a second full-size buffer. */
    private static final int CHUNK_RECORDS = 2048;

    private CifarBinaryReader() {
    }

    static ImageDataset readCifar10(FileSystem fs, Path root, String name) {
        List<String> classNames;
        Path meta = new Path(root, "batches.meta.txt");
        if (HadoopFiles.isFile(fs, meta)) {
            classNames = HadoopFiles.readNonEmptyLines(fs, meta);
            if (classNames.isEmpty()) {
                throw new IllegalArgumentException("no class names in " + meta);
            }
            if (classNames.size() > 256) {
                throw new IllegalArgumentException(classNames.size() + " class names in " + meta
                        + " but a one-byte label allows at most 256");
            }
        } else {
            classNames = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                classNames.add(Integer.toString(i));
            }
        }
        List<Path> trainFiles = dataBatches(fs, root);
        Path testFile = new Path(root, "test_batch.bin");
        int k = classNames.size();
        ImageSplit train = readSplit(fs, trainFiles, 1, 0, k, "train");
        ImageSplit test = readSplit(fs, List.of(testFile), 1, 0, k, "test");
        return new ImageDataset(name, classNames, train, test, root.toString());
    }

    static ImageDataset readCifar100(FileSystem fs, Path root, String name) {
        int k = 100;
        List<String> classNames = new ArrayList<>();
        Path meta = new Path(root, "fine_label_names.txt");
        if (HadoopFiles.isFile(fs, meta)) {
            classNames = HadoopFiles.readNonEmptyLines(fs, meta);
            if (classNames.size() != k) {
                throw new IllegalArgumentException(meta + " has " + classNames.size() + " names, expected " + k);
            }
        } else {
            for (int i = 0; i < k; i++) {
                classNames.add(Integer.toString(i));
            }
        }
        // Byte 0 is the coarse (20-way) label, byte 1 the fine label the benchmark uses.
        ImageSplit train = readSplit(fs, List.of(new Path(root, "train.bin")), 2, 1, k, "train");
        ImageSplit test = readSplit(fs, List.of(new Path(root, "test.bin")), 2, 1, k, "test");
        return new ImageDataset(name, classNames, train, test, root.toString());
    }

    /** Every {@code data_batch_N.bin} in numeric order, so {@code _10} follows {@code _9}. */
    private static List<Path> dataBatches(FileSystem fs, Path root) {
        List<long[]> numbered = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        for (FileStatus st : HadoopFiles.listVisible(fs, root)) {
            Matcher m = DATA_BATCH.matcher(st.getPath().getName());
            if (st.isFile() && m.matches()) {
                numbered.add(new long[] {Long.parseLong(m.group(1)), paths.size()});
                paths.add(st.getPath());
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("missing file " + new Path(root, "data_batch_1.bin")
                    + " (no data_batch_*.bin training files)");
        }
        numbered.sort((a, b) -> Long.compare(a[0], b[0]));
        List<Path> out = new ArrayList<>(paths.size());
        for (long[] e : numbered) {
            out.add(paths.get((int) e[1]));
        }
        return out;
    }

    /**
     * Reads and concatenates the records of {@code files}.
     *
     * @param labelBytes bytes before the image in each record
     * @param labelIndex which of those bytes is the label
     */
    static ImageSplit readSplit(FileSystem fs, List<Path> files, int labelBytes, int labelIndex, int numClasses,
                                String splitName) {
        int recordSize = labelBytes + IMAGE_BYTES;
        long[] counts = new long[files.size()];
        long total = 0;
        for (int f = 0; f < files.size(); f++) {
            Path p = files.get(f);
            long len = HadoopFiles.requireFileLength(fs, p);
            if (len == 0) {
                // An empty batch file is a failed copy, not a split with fewer images.
                throw new IllegalArgumentException("empty file " + p + ": 0 bytes, expected records of " + recordSize
                        + " bytes");
            }
            if (len % recordSize != 0) {
                throw new IllegalArgumentException("truncated or corrupt file " + p + ": length " + len
                        + " is not a multiple of the record size " + recordSize + " (" + labelBytes + " label byte"
                        + (labelBytes == 1 ? "" : "s") + " + " + IMAGE_BYTES + " pixel bytes)");
            }
            counts[f] = len / recordSize;
            total += counts[f];
        }
        if (total == 0) {
            throw new IllegalArgumentException("empty " + splitName + " split: no records in " + files);
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(splitName + " split has " + total
                    + " images, more than one byte array can hold");
        }
        int n = (int) total;
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] labels = new int[n];
        byte[] buf = new byte[CHUNK_RECORDS * recordSize];
        int image = 0;
        for (int f = 0; f < files.size(); f++) {
            Path p = files.get(f);
            try (FSDataInputStream in = HadoopFiles.open(fs, p)) {
                long record = 0;
                while (record < counts[f]) {
                    int chunk = (int) Math.min(CHUNK_RECORDS, counts[f] - record);
                    try {
                        in.readFully(buf, 0, chunk * recordSize);
                    } catch (EOFException e) {
                        throw new IllegalArgumentException("truncated file " + p + ": ended before record " + record
                                + " of " + counts[f] + " (did it change while being read?)", e);
                    }
                    for (int r = 0; r < chunk; r++) {
                        int off = r * recordSize;
                        int label = buf[off + labelIndex] & 0xFF;
                        if (label >= numClasses) {
                            throw new IllegalArgumentException("label " + label + " out of range at record "
                                    + (record + r) + " of " + p + ": the dataset has " + numClasses
                                    + " classes (labels 0.." + (numClasses - 1) + ")");
                        }
                        labels[image] = label;
                        System.arraycopy(buf, off + labelBytes, pixels, image * IMAGE_BYTES, IMAGE_BYTES);
                        image++;
                    }
                    record += chunk;
                }
            } catch (IOException e) {
                throw HadoopFiles.io("cannot read", p, e);
            }
        }
        return new ImageSplit(CHANNELS, SIZE, SIZE, numClasses, pixels, labels);
    }
}
