package org.reconvene.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reconvene.metrics.LayerProfile;
import org.reconvene.structured.ChannelGroup;
import org.reconvene.structured.ChannelGroups;

/**
 * Networks written in PyTorch and exported to ONNX import with PyTorch's parameter and MAC counts;
 * their channel groups follow the rule of METHOD.md section 5; what cannot be imported is named.
 */
class OnnxImportTest {

    private static ImportedArchitecture imported(String fixture) {
        return ImportedArchitecture.of(OnnxFixtures.bytes(fixture), fixture + ".onnx");
    }

    private static LayerProfile profile(Architecture a, int classes, int channels) {
        ModelSpec spec = a.defaultSpec(classes, channels);
        return LayerProfile.of(spec, Architectures.build(spec));
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "mobilenetv2", "dwresnet", "resnet20-folded"})
    void countsEqualPyTorchs(String fixture) {
        Map<String, Object> torch = OnnxFixtures.counts(fixture);
        ImportedArchitecture a = imported(fixture);
        LayerProfile p = profile(a, a.fileClasses(), a.fileInputChannels());
        assertEquals(((Number) torch.get("params")).longValue(), p.params(), "params of " + fixture);
        assertEquals(((Number) torch.get("macs")).longValue(), p.macs(), "MACs of " + fixture);
        assertEquals(((Number) torch.get("opset")).intValue(), a.opset());
        assertEquals(32, a.inputSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "mobilenetv2"})
    void zooNetworksImportAsTheZoosOwn(String name) {
        ImportedArchitecture a = imported(name);
        for (int channels : new int[] {1, 3}) {
            LayerProfile mine = profile(a, 10, channels);
            LayerProfile zoo = profile(Architectures.get(name), 10, channels);
            assertEquals(zoo.params(), mine.params(), name + " params, " + channels + " channels");
            assertEquals(zoo.macs(), mine.macs(), name + " MACs, " + channels + " channels");
            ChannelGroups g = ChannelGroups.of(Architectures.build(a.defaultSpec(10, channels)), channels);
            ChannelGroups z = ChannelGroups.of(Architectures.build(Architectures.get(name).defaultSpec(10, channels)),
                    channels);
            assertEquals(z.prunable().stream().map(ChannelGroup::width).sorted().toList(),
                    g.prunable().stream().map(ChannelGroup::width).sorted().toList(), "group widths of " + name);
            assertEquals(z.prunable().stream().map(x -> x.producers().size()).sorted().toList(),
                    g.prunable().stream().map(x -> x.producers().size()).sorted().toList(), "group producers");
        }
    }

    @Test
    void aFoldedExportImportsAsConvolutionsWithBias() {
        ImportedArchitecture kept = imported("resnet20");
        ImportedArchitecture folded = imported("resnet20-folded");
        ModelSpec spec = folded.defaultSpec(10, 3);
        List<Layer> graph = Architectures.build(spec);
        assertTrue(flatten(graph).stream().noneMatch(l -> l instanceof Layer.BatchNorm));
        assertTrue(flatten(graph).stream().filter(l -> l instanceof Layer.Conv).allMatch(l -> ((Layer.Conv) l).bias()));
        LayerProfile foldedOfKept = LayerProfile.of(kept.defaultSpec(10, 3).withBatchNormFolded(),
                Architectures.build(kept.defaultSpec(10, 3).withBatchNormFolded()));
        assertEquals(foldedOfKept.params(), LayerProfile.of(spec, graph).params());
    }

    private static List<Layer> flatten(List<Layer> layers) {
        List<Layer> out = new java.util.ArrayList<>();
        for (Layer l : layers) {
            if (l instanceof Layer.Residual r) {
                out.addAll(flatten(r.main()));
                out.addAll(flatten(r.shortcut()));
            } else {
                out.add(l);
            }
        }
        return out;
    }

    @Test
    void depthwiseBlocksTieTheirChannelsAndResidualsShareTheirGroup() {
        ImportedArchitecture a = imported("dwresnet");
        ChannelGroups g = ChannelGroups.of(Architectures.build(a.defaultSpec(10, 3)), 3);
        // stem and pw1 are added together (the residual over the first depthwise block); dw1 reads
        // and writes that group.
        assertEquals(g.outputOf("stem"), g.outputOf("pw1"));
        assertEquals(g.outputOf("stem"), g.outputOf("dw1"));
        assertEquals(g.inputOf("dw1"), g.outputOf("dw1"));
        assertEquals(g.outputOf("down"), g.outputOf("pw2"));
        assertEquals(g.outputOf("down"), g.outputOf("dw2"));
        assertNotEquals(g.outputOf("stem"), g.outputOf("down"));
        ChannelGroup stem = g.group(g.outputOf("stem"));
        assertEquals(List.of("stem", "dw1", "pw1"), stem.producers());
        assertEquals(List.of("stem_bn", "dw1_bn", "pw1_bn"), stem.norms());
        // the classifier (MatMul + Add) reads the head's group
        assertEquals(g.outputOf("head"), g.inputOf("MatMul"));
    }

    @Test
    void aNarrowerSpecBuildsAndGroupsMustAgree() {
        ImportedArchitecture a = imported("dwresnet");
        ModelSpec narrow = a.defaultSpec(7, 1).withWidths(Map.of("stem", 5, "pw1", 5, "head", 3));
        LayerProfile p = LayerProfile.of(narrow, Architectures.build(narrow));
        assertEquals(5, p.row("dw1").outChannels());
        assertEquals(1, p.row("stem").inChannels());
        assertEquals(7, p.row("MatMul").outChannels());
        ModelSpec broken = a.defaultSpec(10, 3).withWidths(Map.of("stem", 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.build(broken));
        assertTrue(e.getMessage().contains("pw1") && e.getMessage().contains("stem"), e.getMessage());
    }

    @Test
    void theNameCarriesTheDigestAndAFileImportsByPath(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("My Net.onnx");
        // content of its own, so that no earlier import of the same bytes named it
        Files.write(f, ModelProto.parseFrom(OnnxFixtures.bytes("dwresnet")).toBuilder().setDocString("my net")
                .build().toByteArray());
        Architecture a = Architectures.get(f.toString());
        ImportedArchitecture ia = (ImportedArchitecture) a;
        assertEquals(64, ia.digest().length());
        assertEquals("My_Net-" + ia.digest().substring(0, 12), a.name());
        assertSame(a, Architectures.get(a.name()));
        assertSame(a, Architectures.get(f.toUri().toString()));
        Files.write(f, OnnxFixtures.bytes("resnet20"));
        assertNotEquals(a.name(), Architectures.get(f.toString()).name(), "a changed file is another architecture");
        assertEquals(List.of("image", "scores"), List.of(ia.inputName(), ia.outputName()));
    }

    // -- what cannot be imported ------------------------------------------------------------------

    private static String importError(ModelProto m) {
        return assertThrows(IllegalArgumentException.class,
                () -> ImportedArchitecture.of(m.toByteArray(), "bad.onnx")).getMessage();
    }

    private static ModelProto edit(String fixture, UnaryOperator<GraphProto.Builder> change) {
        try {
            ModelProto m = ModelProto.parseFrom(OnnxFixtures.bytes(fixture));
            return m.toBuilder().setGraph(change.apply(m.getGraph().toBuilder())).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int nodeIndex(GraphProto.Builder g, String name) {
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void anUnsupportedOpIsNamedWithWhatIsSupported() {
        String msg = importError(edit("dwresnet", g -> {
            int i = nodeIndex(g, "/Relu");
            return g.setNode(i, g.getNode(i).toBuilder().setOpType("Sigmoid"));
        }));
        assertTrue(msg.startsWith("bad.onnx: node /Relu (Sigmoid)"), msg);
        assertTrue(msg.contains("supported: Conv"), msg);
    }

    @Test
    void aCycleIsNamed() {
        String msg = importError(edit("dwresnet", g -> {
            // the first pointwise convolution now reads the output of the block it is in
            int i = nodeIndex(g, "/pw1/Conv");
            NodeProto n = g.getNode(i);
            return g.setNode(i, n.toBuilder().setInput(0, "/Add_output_0"));
        }));
        assertTrue(msg.contains("cycle"), msg);
        assertTrue(msg.contains("node /"), msg);
    }

    @Test
    void aDynamicSpatialShapeIsNamed() {
        String msg = importError(edit("resnet20", g -> {
            ValueInfoProto in = g.getInput(0);
            TensorShapeProto.Builder shape = in.getType().getTensorType().getShape().toBuilder();
            shape.setDim(2, TensorShapeProto.Dimension.newBuilder().setDimParam("height"));
            ValueInfoProto.Builder b = in.toBuilder();
            b.getTypeBuilder().getTensorTypeBuilder().setShape(shape);
            return g.setInput(0, b);
        }));
        assertTrue(msg.contains("input image has a dynamic spatial dimension (height)"), msg);
    }

    @Test
    void aGroupedConvolutionAndAFlattenedMapAreNamed() {
        String grouped = importError(edit("resnet20", g -> {
            int i = nodeIndex(g, "/conv/Conv");
            NodeProto.Builder n = g.getNode(i).toBuilder();
            for (int a = 0; a < n.getAttributeCount(); a++) {
                if (n.getAttribute(a).getName().equals("group")) {
                    n.removeAttribute(a);
                }
            }
            return g.setNode(i, n.addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("group")
                    .setI(3).setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT)));
        }));
        assertTrue(grouped.contains("node /conv/Conv (Conv): group 3"), grouped);
        String flat = importError(edit("resnet20", g -> {
            int i = nodeIndex(g, "/GlobalAveragePool");
            NodeProto gap = g.getNode(i);
            // Flatten reads the 8x8 map instead of the pooled one
            int f = nodeIndex(g, "/Flatten");
            g.setNode(f, g.getNode(f).toBuilder().setInput(0, gap.getInput(0)));
            return g.removeNode(i);
        }));
        assertTrue(flat.contains("node /Flatten (Flatten): flattening a 64x8x8 map"), flat);
    }

    @Test
    void malformedFilesAndOtherOpsetsAreNamed() {
        String junk = assertThrows(IllegalArgumentException.class,
                () -> ImportedArchitecture.of("not a model".getBytes(), "junk.onnx")).getMessage();
        assertTrue(junk.startsWith("junk.onnx"), junk);
        ModelProto m = edit("resnet20", g -> g);
        ModelProto old = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(9)).build();
        assertTrue(importError(old).contains("opset 9 is not supported; opsets 11 to 17 are"), importError(old));
        String branch = importError(edit("dwresnet", g -> {
            // a second reader of the stem's output outside any residual block
            int i = nodeIndex(g, "/down/Conv");
            return g.setNode(i, g.getNode(i).toBuilder().setInput(0, "/Clip_output_0"));
        }));
        assertTrue(branch.contains("bad.onnx"), branch);
    }
}
