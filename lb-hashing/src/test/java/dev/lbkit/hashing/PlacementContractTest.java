package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Runs the {@link PlacementContract} over every implementation, each used as a Placement. */
class PlacementContractTest {

  @Nested
  class ConsistentHashContract extends PlacementContract {
    @Override
    <N> Placement<N> create(Collection<N> nodes) {
      return new ConsistentHash<>(nodes);
    }
  }

  @Nested
  class MaglevContract extends PlacementContract {
    @Override
    <N> Placement<N> create(Collection<N> nodes) {
      return new Maglev<>(nodes);
    }
  }

  @Nested
  class SmallTableMaglevContract extends PlacementContract {
    @Override
    <N> Placement<N> create(Collection<N> nodes) {
      return new Maglev<>(nodes, 13);
    }
  }

  @Nested
  class RendezvousContract extends PlacementContract {
    @Override
    <N> Placement<N> create(Collection<N> nodes) {
      return new Rendezvous<>(nodes);
    }
  }

  @Nested
  class MementoContract extends PlacementContract {
    @Override
    <N> Placement<N> create(Collection<N> nodes) {
      return new Memento<>(nodes);
    }

    /**
     * Memento's one documented exception to the contract: its constructors depend only on the node
     * set, but later changes follow its history (the price of zero collateral). So the contract's
     * test, which grows a placement node by node, becomes: the same history gives the same
     * placement, and a rebuild from the nodes gives the constructor's.
     */
    @Test
    @Override
    void placementDependsOnlyOnTheNodeSet() {
      List<String> keys = Placements.keys("key:", 3000);
      List<List<String>> placements = new ArrayList<>();
      for (int twice = 0; twice < 2; twice++) {
        Placement<String> grown = create(List.of());
        for (String node : List.of("e", "x", "c", "a", "d", "b")) {
          grown.addNode(node);
        }
        grown.removeNode("x");
        placements.add(Placements.placement(grown, keys));
        assertThat(Placements.placement(create(grown.nodes()), keys))
            .isEqualTo(Placements.placement(create(List.of("a", "b", "c", "d", "e")), keys));
      }
      assertThat(placements.get(1)).isEqualTo(placements.get(0));
    }
  }
}
