package org.relax4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.onnx.PretrainedModels;

/** The spark.ml Transformer: params, save/load, and the pretrained MobileNetV2 through it. */
class RelaxTransformerTest {
    static final Path CHELSEA = Path.of("..", "samples", "chelsea.png");

    @Test
    void roundTripsThroughSaveAndLoad(@TempDir Path dir) throws IOException {
        SparkTests.spark();
        RelaxTransformer t = new RelaxTransformer().setMasks(123).setBatchSize(7).setCells(5).setKeepProbability(0.25)
                .setSeed(99).setDesign("balanced").setImageSize(64).setThreadsPerTask(2).setEncoderThreads(3)
                .setPartitions(4).setFailFast(true).setOutputDir("/tmp/out").setModel("model.onnx")
                .setModelInput("in").setModelOutput("out").setPixels("unit").setInputCol("content");
        String path = dir.resolve("relax").toString();
        t.save(path);
        RelaxTransformer back = RelaxTransformer.load(path);
        assertEquals(t.uid(), back.uid());
        for (ParamPair<?> p : t.extractParamMap().toList()) {
            assertEquals(p.value(), back.getOrDefault(back.getParam(p.param().name())), p.param().name());
        }
        assertEquals(t.config().toString(), back.config().toString());

        RelaxTransformer defaults = RelaxTransformer.load(saved(new RelaxTransformer(), dir.resolve("d")));
        assertEquals(RelaxConfig.builder().build().masks(), defaults.config().masks());
        assertNotEquals(t.config().seed(), defaults.config().seed());

        // Inside a pipeline, too.
        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {t}).fit(SparkTests.spark()
                .emptyDataFrame());
        pipeline.save(dir.resolve("pipeline").toString());
        RelaxTransformer inPipeline = (RelaxTransformer) PipelineModel.load(dir.resolve("pipeline").toString())
                .stages()[0];
        assertEquals(t.config().toString(), inPipeline.config().toString());
    }

    static String saved(RelaxTransformer t, Path p) throws IOException {
        t.save(p.toString());
        return p.toString();
    }

    /** The one MobileNetV2 test: a real photo through the transformer equals Relax.explain in one JVM. */
    @Test
    void explainsAPhotoWithThePretrainedModelAsOneJvmDoes(@TempDir Path out) throws IOException {
        SparkSession spark = SparkTests.spark();
        Path cache = PretrainedModels.defaultCacheDir();
        RelaxTransformer t = new RelaxTransformer().setMasks(40).setBatchSize(20).setSeed(3).setEncoderThreads(2)
                .setCacheDir(cache.toString()).setOutputDir(out.toString());
        Dataset<Row> images = spark.read().format("image").load(CHELSEA.toString());
        List<Row> rows = t.transform(images).collectAsList();
        assertEquals(1, rows.size());
        Row r = rows.get(0);
        assertEquals(ResultSchema.OK, r.getAs("status"), () -> r.getAs("message"));
        assertEquals("chelsea", r.getAs("id"));
        assertTrue(Files.isRegularFile(out.resolve("chelsea").resolve("summary.png")));

        InputTensor rgb = Images.resize(Images.read(CHELSEA), 224, 224);
        InputTensor x = Normalization.imagenet().normalize(rgb);
        Explanation e;
        try (org.relax4j.onnx.OnnxEncoder enc = PretrainedModels.openMobileNetV2(cache, 2, s -> { });
             Relax relax = new Relax(t.config().toBuilder().threads(1).build())) {
            e = relax.explain(x, enc);
        }
        assertArrayEquals(e.importance().values(), DatasetExplainerTest.floats(r, "importance"));
        assertArrayEquals(e.uncertainty().values(), DatasetExplainerTest.floats(r, "uncertainty"));
    }
}
