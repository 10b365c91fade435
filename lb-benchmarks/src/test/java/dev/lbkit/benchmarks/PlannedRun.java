package dev.lbkit.benchmarks;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;

/**
 * Hand-made measurements for every run of a plan, with the parameters JMH would report: the job's
 * sizes, or the {@code n} a benchmark's states declare when the job gives none.
 */
final class PlannedRun {

  private PlannedRun() {}

  /** One measurement per run of {@code mode}'s plan, its score given by {@code score}. */
  static List<Measurement> of(ReportMode mode, ToDoubleFunction<String> nanosPerOp) {
    List<Measurement> all = new ArrayList<>();
    for (Job job : BenchmarkReport.plan(mode)) {
      for (String method : job.methods()) {
        String name = job.benchmark().getSimpleName() + "." + method;
        double nanos = nanosPerOp.applyAsDouble(name);
        List<String> sizes = job.sizes().isEmpty() ? declaredSize(job, method) : job.sizes();
        for (String n : sizes.isEmpty() ? List.of("") : sizes) {
          Map<String, String> params = n.isEmpty() ? Map.of() : Map.of("n", n);
          all.add(
              job.threads() == 1
                  ? new Measurement(name, params, 1, Mode.AverageTime, nanos, 0.1, 0)
                  : new Measurement(
                      name, params, job.threads(), Mode.Throughput, 1.5e9 / nanos, 1e6, 0));
        }
      }
    }
    return all;
  }

  /** The first value of a {@code @Param n} on the benchmark class or a state the method takes. */
  private static List<String> declaredSize(Job job, String methodName) {
    List<Class<?>> states = new ArrayList<>(List.of(job.benchmark()));
    for (Method method : job.benchmark().getMethods()) {
      if (method.getName().equals(methodName)) {
        states.addAll(List.of(method.getParameterTypes()));
      }
    }
    for (Class<?> state : states) {
      for (Field field : state.getDeclaredFields()) {
        Param param = field.getAnnotation(Param.class);
        if (param != null && field.getName().equals("n")) {
          return List.of(param.value()[0]);
        }
      }
    }
    return List.of();
  }
}
