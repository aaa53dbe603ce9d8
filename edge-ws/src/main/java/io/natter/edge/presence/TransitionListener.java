package io.natter.edge.presence;

/** Told of each transition that this tracker's compare-and-set won (and so published), once per transition. */
@FunctionalInterface
public interface TransitionListener {
    void onTransition(Presence transition);
}
