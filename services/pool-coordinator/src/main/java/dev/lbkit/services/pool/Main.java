package dev.lbkit.services.pool;

import dev.lbkit.services.pool.worker.ReferenceWorker;
import java.util.Arrays;

/**
 * The jar's entry point: the coordinator, or with {@code worker} first the reference worker.
 *
 * <pre>
 * java -jar pool-coordinator.jar --workers workers.json --port 9000 --health-check-interval 30
 * java -jar pool-coordinator.jar worker --port 8443 --key-file worker1.pem --max-concurrent-jobs 4
 * </pre>
 *
 * {@code --help} after either lists its options.
 */
public final class Main {

  private Main() {}

  /** Runs the coordinator, or the reference worker if the first argument is {@code worker}. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("worker")) {
      ReferenceWorker.main(Arrays.copyOfRange(args, 1, args.length));
    } else {
      PoolService.main(args);
    }
  }
}
