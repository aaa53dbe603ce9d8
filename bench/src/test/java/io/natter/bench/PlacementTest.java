package io.natter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {

    @Test
    void placesClientsRoundRobinWithSlotsInJoinOrder() {
        Placement placement = new Placement("run1", 7, 3, 0, 0);
        assertThat(List.of(0, 1, 2, 3, 4, 5, 6).stream().map(placement::roomOf).toList())
                .containsExactly(0, 1, 2, 0, 1, 2, 0);
        assertThat(List.of(0, 1, 2, 3, 4, 5, 6).stream().map(placement::slotOf).toList())
                .containsExactly(0, 0, 0, 1, 1, 1, 2);
        assertThat(List.of(placement.activeMembers(0), placement.activeMembers(1), placement.activeMembers(2)))
                .containsExactly(3, 2, 2);
        assertThat(placement.members(0)).containsExactly("run1-u0", "run1-u3", "run1-u6");
        assertThat(placement.owner(2)).isEqualTo("run1-u2");
        assertThat(placement.roomId(2)).isEqualTo("run1-r2");
    }

    @Test
    void stalledClientsAndObserversAreMembersOfEveryRoomAfterTheActiveOnes() {
        Placement placement = new Placement("run1", 4, 2, 1, 2);
        assertThat(placement.members(1)).containsExactly("run1-u1", "run1-u3", "run1-s0", "run1-o0", "run1-o1");
        assertThat(placement.members(0)).containsExactly("run1-u0", "run1-u2", "run1-s0", "run1-o0", "run1-o1");
        assertThat(placement.activeMembers(1)).isEqualTo(2);
    }

    @Test
    void everyClientIsCountedInExactlyOneRoom() {
        Placement placement = new Placement("r", 1000, 7, 0, 0);
        int sum = 0;
        for (int room = 0; room < 7; room++) {
            sum += placement.activeMembers(room);
            assertThat(placement.members(room)).hasSize(placement.activeMembers(room));
        }
        assertThat(sum).isEqualTo(1000);
    }

    @Test
    void refusesRunIdsThatWouldNotBeSafeIdsAndRoomsWithoutOwners() {
        assertThatThrownBy(() -> new Placement("a b", 2, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Placement("ok", 2, 3, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
