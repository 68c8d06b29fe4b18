package dev.machina.optim.lr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.optim.Optimizer;
import dev.machina.optim.SGD;
import dev.machina.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Learning rates after construction and after each step, against PyTorch 1.13
 * (src/test/resources/ref/make_refs.py → refs.txt; SGD with base lr 0.1). PyTorch computes
 * some schedules recursively; closed and recursive forms agree to double rounding, so 1e-12.
 */
class SchedulersTest {

    static SGD sgd() {
        return new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), SGD.Config.lr(0.1));
    }

    static void matches(Function<Optimizer, LRScheduler> make, double[] torch) {
        SGD opt = sgd();
        LRScheduler s = make.apply(opt);
        double[] lrs = new double[torch.length];
        lrs[0] = opt.lr();
        for (int i = 1; i < torch.length; i++) {
            s.step();
            lrs[i] = opt.lr();
        }
        assertThat(lrs).containsExactly(torch, Offset.offset(1e-12));
        assertThat(s.lastLr()[0]).isEqualTo(lrs[lrs.length - 1]);
    }

    @Test
    void matchTorch() {
        matches(o -> new StepLR(o, 3, 0.5), new double[] {0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.025000000000000001, 0.025000000000000001, 0.025000000000000001, 0.012500000000000001, 0.012500000000000001, 0.012500000000000001, 0.0062500000000000003});
        matches(o -> new MultiStepLR(o, new int[] {5, 2, 9}, 0.3), new double[] {0.10000000000000001, 0.10000000000000001, 0.029999999999999999, 0.029999999999999999, 0.029999999999999999, 0.0089999999999999993, 0.0089999999999999993, 0.0089999999999999993, 0.0089999999999999993, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997});
        matches(o -> new ExponentialLR(o, 0.9), new double[] {0.10000000000000001, 0.090000000000000011, 0.081000000000000016, 0.07290000000000002, 0.065610000000000016, 0.059049000000000018, 0.05314410000000002, 0.047829690000000022, 0.043046721000000024, 0.03874204890000002, 0.034867844010000017, 0.031381059609000013, 0.028242953648100012});
        matches(o -> new CosineAnnealingLR(o, 10, 0.001), new double[] {0.10000000000000001, 0.097577297556610113, 0.090546341221559898, 0.079595369988477424, 0.065796341221559904, 0.050500000000000003, 0.03520365877844011, 0.021404630011522589, 0.010453658778440109, 0.0034227024433899004, 0.001, 0.0034227024433899004, 0.01045365877844014});
        matches(o -> new CosineAnnealingWarmRestarts(o, 3, 2, 0.01), new double[] {0.10000000000000001, 0.077499999999999999, 0.032500000000000015, 0.10000000000000001, 0.093971143170299753, 0.077499999999999999, 0.055000000000000007, 0.032500000000000015, 0.016028856829700261, 0.10000000000000001, 0.098466662183008077, 0.093971143170299753, 0.086819805153394644});
        matches(o -> new LinearLR(o, 0.25, 1.0, 4), new double[] {0.025000000000000001, 0.043750000000000004, 0.062500000000000014, 0.081250000000000017, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002});
        matches(o -> new OneCycleLR(o, 1.0, 12), new double[] {0.040000000000000036, 0.34978965421958308, 0.87928515912212868, 0.99441543545091171, 0.93301296984141169, 0.81174565394976295, 0.64737899769510332, 0.46263710266697505, 0.28306099820869923, 0.1334775301888306, 0.034566987425395219, 3.9999999999999998e-06});
        matches(o -> new OneCycleLR(o, 1.0, 12, 0.25, false, 25, 1e4, true), new double[] {0.040000000000000001, 0.52000000000000002, 1, 0.52000000000000002, 0.040000000000000036, 0.034286285714285714, 0.02857257142857143, 0.022858857142857143, 0.017145142857142859, 0.011431428571428568, 0.0057177142857142843, 3.9999999999970615e-06});
    }

    @Test
    void oneCycleRefusesToStepPastTheEnd() {
        SGD opt = sgd();
        OneCycleLR s = new OneCycleLR(opt, 1.0, 3);
        s.step();
        s.step();
        s.step();
        assertThatThrownBy(s::step).hasMessage("Tried to step 4 times. The specified number of total steps is 3");
    }

    @Test
    void reduceOnPlateauMatchesTorch() {
        SGD opt = sgd();
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Config.defaults().withPatience(2).withCooldown(1).withFactor(0.5).withMinLr(0.02));
        double[] metrics = {1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.9, 0.9, 0.8, 0.85, 0.86, 0.87};
        double[] torch = {0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.025000000000000001};
        double[] lrs = new double[13];
        lrs[0] = opt.lr();
        for (int i = 0; i < 12; i++) {
            s.step(metrics[i]);
            lrs[i + 1] = opt.lr();
        }
        assertThat(lrs).containsExactly(torch, Offset.offset(1e-15));
        // The minimum lr is respected.
        for (int i = 0; i < 20; i++) s.step(5.0);
        assertThat(opt.lr()).isEqualTo(0.02);
        assertThatThrownBy(() -> ReduceLROnPlateau.Config.defaults().withFactor(1.0)).hasMessage("Factor should be < 1.0.");
    }

    @Test
    void stateDictResumesTheSchedule() {
        List<Function<Optimizer, LRScheduler>> makers = List.of(
                o -> new StepLR(o, 2, 0.5), o -> new CosineAnnealingWarmRestarts(o, 2, 2, 0.0),
                o -> new OneCycleLR(o, 1.0, 20), o -> new LinearLR(o, 0.1, 1.0, 5));
        for (var make : makers) {
            SGD a = sgd();
            LRScheduler sa = make.apply(a);
            for (int i = 0; i < 5; i++) sa.step();
            Map<String, Object> sd = sa.stateDict();
            SGD b = sgd();
            LRScheduler sb = make.apply(b);
            sb.loadStateDict(sd);
            assertThat(b.lr()).isEqualTo(a.lr());
            for (int i = 0; i < 6; i++) {
                sa.step();
                sb.step();
                assertThat(b.lr()).as(sa.getClass().getSimpleName()).isEqualTo(a.lr());
            }
        }
        SGD a = sgd(), b = sgd();
        ReduceLROnPlateau pa = new ReduceLROnPlateau(a, ReduceLROnPlateau.Config.defaults().withPatience(1));
        ReduceLROnPlateau pb = new ReduceLROnPlateau(b, ReduceLROnPlateau.Config.defaults().withPatience(1));
        pa.step(1.0);
        pa.step(1.0);
        pb.loadStateDict(pa.stateDict());
        pa.step(1.0);
        pb.step(1.0);
        assertThat(b.lr()).isEqualTo(a.lr()).isCloseTo(0.01, Offset.offset(1e-15));
    }
}
