package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Tensor train = Tensor.of(new float[] {1, 10, 2, 20, 3, 30, 6, 40}, 4, 2);
    private final Tensor other = Tensor.of(new float[] {0, 0, 3, 25}, 2, 2);

    @Test
    void standardizeUsesTrainingStatisticsOnly() {
        Standardizer s = Standardizer.fit(train);
        assertThat(s.mean()).containsExactly(3.0, 25.0);
        assertThat(s.std()[0]).isCloseTo(Math.sqrt(3.5), within(1e-12));       // population std of 1,2,3,6
        assertThat(s.std()[1]).isCloseTo(Math.sqrt(125.0), within(1e-12));     // of 10,20,30,40
        float[] z = s.apply(train).data();
        assertThat(z[0] + z[2] + z[4] + z[6]).isCloseTo(0f, within(1e-6f));
        // other data uses the training mean/std, not its own
        float[] o = s.apply(other).data();
        assertThat(o[0]).isCloseTo((float) (-3 / Math.sqrt(3.5)), within(1e-6f));
        assertThat(o[2]).isEqualTo(0f);
        assertThat(o[3]).isEqualTo(0f);
        assertThat(other.data()).containsExactly(0, 0, 3, 25);   // input untouched
    }

    @Test
    void standardizePerLastAxisOfSequencesAndConstantFeatures() {
        Tensor seq = Tensor.of(new float[] {1, 5, 3, 5, 5, 5, 7, 5}, 2, 2, 2);   // [N, T, F], feature 1 constant
        Standardizer s = Standardizer.fit(seq);
        assertThat(s.mean()).containsExactly(4.0, 5.0);
        assertThat(s.std()[1]).isZero();
        float[] z = s.apply(seq).data();
        assertThat(z[1]).isEqualTo(0f);
        assertThat(z[0]).isCloseTo((float) (-3 / Math.sqrt(5)), within(1e-6f));
        assertThatThrownBy(() -> s.apply(Tensor.zeros(3, 3)))
                .hasMessage("standardize was fitted on 2 features (last axis) but got a tensor of shape [3, 3]");
    }

    @Test
    void minMaxMapsTrainingRangeAndDoesNotClipOtherData() {
        MinMaxScaler m = MinMaxScaler.fit(train);
        assertThat(m.apply(train).data()).containsExactly(0f, 0f, 0.2f, 1f / 3, 0.4f, 2f / 3, 1f, 1f);
        assertThat(m.apply(other).data()).containsExactly(-0.2f, -1f / 3, 0.4f, 0.5f);
        MinMaxScaler sym = MinMaxScaler.fit(train, -1, 1);
        assertThat(sym.apply(train).data()[0]).isEqualTo(-1f);
        assertThat(sym.apply(train).data()[7]).isEqualTo(1f);
    }

    @Test
    void scaleByConstant() {
        assertThat(Scale.by(1 / 255.0).apply(Tensor.vector(0, 255, 51)).data()).containsExactly(0f, 1f, 0.2f);
    }

    @Test
    void stateRoundTripThroughJsonGivesIdenticalOutput() throws Exception {
        Tensor x = Tensor.randn(new Rng(3), 50, 7);
        Tensor y = Tensor.randn(new Rng(4), 20, 7);
        for (FeatureTransform t : new FeatureTransform[] {Standardizer.fit(x), MinMaxScaler.fit(x, -2, 3), Scale.by(0.1234567)}) {
            String text = JSON.writeValueAsString(t.state());
            @SuppressWarnings("unchecked")
            Map<String, Object> back = JSON.readValue(text, Map.class);
            FeatureTransform restored = FeatureTransform.fromState(back);
            assertThat(restored.getClass()).isEqualTo(t.getClass());
            assertThat(restored.apply(y).data()).as(text).containsExactly(t.apply(y).data());

            JsonNode node = JSON.readTree(JSON.writeValueAsString(t.toJson()));
            assertThat(((FeatureTransform) Transform.fromJson(node)).apply(y).data()).containsExactly(t.apply(y).data());
        }
    }

    @Test
    void oneHotFittedOnTrainingLabels() throws Exception {
        OneHot oh = OneHot.fit(new int[] {0, 2, 1, 2});
        assertThat(oh.numClasses()).isEqualTo(3);
        Tensor t = oh.apply(new int[] {2, 0});
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.data()).containsExactly(0, 0, 1, 1, 0, 0);
        assertThatThrownBy(() -> oh.apply(new int[] {3})).hasMessageContaining("label 3 at position 0 is outside [0, 3)");
        @SuppressWarnings("unchecked")
        Map<String, Object> state = JSON.readValue(JSON.writeValueAsString(oh.state()), Map.class);
        assertThat(((OneHot) Transform.fromState(state)).apply(new int[] {1}).data()).containsExactly(0, 1, 0);
    }

    @Test
    void transformAppliesToDatasetsKeepingLabels() {
        TensorDataset ds = TensorDataset.classification(train, new int[] {0, 1, 0, 1});
        TensorDataset scaled = MinMaxScaler.fit(ds.features()).apply(ds);
        assertThat(scaled.labels()).containsExactly(0, 1, 0, 1);
        assertThat(scaled.features().data()[6]).isEqualTo(1f);
    }

    @Test
    void badStatesAreRejectedWithTheKey() {
        assertThatThrownBy(() -> Transform.fromState(Map.of("type", "whiten")))
                .hasMessage("unknown transform type 'whiten'; known: scale, min-max, standardize, one-hot");
        assertThatThrownBy(() -> Transform.fromState(Map.of("type", "standardize", "mean", java.util.List.of(1.0))))
                .hasMessage("transform state: \"std\" must be a list of numbers, got null");
        assertThatThrownBy(() -> FeatureTransform.fromState(Map.of("type", "one-hot", "numClasses", 3)))
                .hasMessage("transform state of type 'one-hot' is not a feature transform");
    }
}
