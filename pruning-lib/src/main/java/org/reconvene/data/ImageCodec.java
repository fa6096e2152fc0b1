package org.reconvene.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Converts between compressed image files and CHW byte images with {@code javax.imageio}.
 *
 * <p>Stateless and thread-safe. Streams are wrapped in memory-cached image streams explicitly,
 * because ImageIO's default for plain input streams spills every image to a temporary file.
 */
final class ImageCodec {

    private static final Set<String> SUFFIXES = readableSuffixes();

    private ImageCodec() {
    }

    private static Set<String> readableSuffixes() {
        Set<String> s = new TreeSet<>();
        for (String suffix : ImageIO.getReaderFileSuffixes()) {
            s.add(suffix.toLowerCase(Locale.ROOT));
        }
        return s;
    }

    /** Whether a file name has an extension ImageIO can decode (case-insensitive, e.g. {@code .JPEG}). */
    static boolean isImageFileName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && SUFFIXES.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * The largest side of an image the loaders decode: a 4096x4096 image takes 64 MiB decoded. The
     * side is read from the file's header and a larger one refused before any pixel is decoded, so a
     * few bytes claiming 26000x26000 cannot take gigabytes and minutes.
     */
    static final int MAX_SIDE = 4096;

    /** Checks an image's width and height, read from its header, before it is decoded. */
    @FunctionalInterface
    interface SizeCheck {
        /** Throws {@link IllegalArgumentException} naming {@code source} if the size is not acceptable. */
        void check(String source, int width, int height);
    }

    /**
     * Decodes {@code data} and writes it as 3 x size x size CHW bytes into {@code dst}.
     *
     * @param source the file name, used only in messages
     * @throws IllegalArgumentException naming {@code source} when the data is not a decodable
     *                                  image or is not {@code size x size}
     */
    static void decodeRgb(byte[] data, String source, int size, byte[] dst, int dstOffset) {
        BufferedImage img = decode(data, source, (src, w, h) -> {
            if (w != size || h != size) {
                throw new IllegalArgumentException("image " + src + " is " + w + "x" + h + ", expected " + size + "x"
                        + size);
            }
        });
        toChw(img, dst, dstOffset);
    }

    /**
     * Decodes {@code data} after {@code sizes} accepted the width and height its header gives (and
     * {@link #MAX_SIDE} did). Running out of memory while decoding is reported as bad input naming
     * the file, never as an {@link OutOfMemoryError}.
     */
    static BufferedImage decode(byte[] data, String source, SizeCheck sizes) {
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data));
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new IllegalArgumentException("unreadable image " + source + ": no ImageIO decoder recognises its "
                    + data.length + " bytes");
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        BufferedImage img;
        try {
            reader.setInput(in, true, true);
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w > MAX_SIDE || h > MAX_SIDE) {
                throw new IllegalArgumentException("image " + source + " is " + w + "x" + h + " by its header; images "
                        + "above " + MAX_SIDE + "x" + MAX_SIDE + " are refused before decoding");
            }
            sizes.check(source, w, h);
            reader.addIIOReadWarningListener((r, message) -> warnings.add(message));
            img = reader.read(0);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains(source)) {
                throw e;
            }
            throw new IllegalArgumentException("corrupt or unreadable image " + source + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Decoders report corrupt data through IIOException and, for some malformed headers,
            // through runtime exceptions; both mean the file is bad input, not an IO failure.
            throw new IllegalArgumentException("corrupt or unreadable image " + source + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException("image " + source + " does not fit in memory to decode (max heap "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB)");
        } finally {
            reader.dispose();
            try {
                in.close();
            } catch (IOException ignored) {
                // A memory-backed stream holds no resource worth reporting.
            }
        }
        // libjpeg only warns when image data is cut short and fills the missing rows with grey; a
        // half-downloaded image must not pass silently into training. (A lone "Missing EOI marker"
        // warning means only the end marker is gone and every pixel was decoded, so it passes.)
        for (String w : warnings) {
            if (w != null && w.toLowerCase(Locale.ROOT).contains("premature end")) {
                throw new IllegalArgumentException("corrupt image " + source + " (truncated): " + w);
            }
        }
        return img;
    }

    /**
     * Copies an image's RGB values into CHW order. Grey and plain 8-bit RGB rasters are read
     * directly: going through {@code getRGB} would gamma-convert grey images (Tiny ImageNet has
     * some) and make them brighter than every other decoder does.
     */
    static void toChw(BufferedImage img, byte[] dst, int off) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int bands = raster.getNumBands();
        boolean eightBit = cm.getComponentSize(0) == 8;
        if (!(cm instanceof IndexColorModel) && eightBit && bands == 1) {
            int[] grey = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < plane; i++) {
                byte v = (byte) grey[i];
                dst[off + i] = v;
                dst[off + plane + i] = v;
                dst[off + 2 * plane + i] = v;
            }
            return;
        }
        if (!(cm instanceof IndexColorModel) && eightBit && bands >= 3 && cm.getColorSpace().isCS_sRGB()) {
            int[] tmp = new int[plane];
            for (int c = 0; c < 3; c++) {
                raster.getSamples(0, 0, w, h, c, tmp);
                int base = off + c * plane;
                for (int i = 0; i < plane; i++) {
                    dst[base + i] = (byte) tmp[i];
                }
            }
            return;
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            dst[off + i] = (byte) (p >>> 16);
            dst[off + plane + i] = (byte) (p >>> 8);
            dst[off + 2 * plane + i] = (byte) p;
        }
    }

    /** Encodes a 3 x size x size CHW image as a JPEG at the given quality (0..1). */
    static byte[] encodeJpeg(byte[] chw, int off, int size, float quality) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            bgr[3 * i] = chw[off + 2 * plane + i];
            bgr[3 * i + 1] = chw[off + plane + i];
            bgr[3 * i + 2] = chw[off + i];
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JVM has no ImageIO JPEG writer");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
