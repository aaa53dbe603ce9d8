package io.natter.edge.frames;

/** A client frame that cannot be served; becomes an ERROR frame and the socket stays open. */
public final class FrameException extends Exception {
    private final String code;
    private final String ref;

    public FrameException(String code, String message, String ref) {
        super(message);
        this.code = code;
        this.ref = ref;
    }

    public String code() {
        return code;
    }

    public String ref() {
        return ref;
    }

    /** The ERROR frame telling the client about this failure. */
    public ServerFrame.Error toFrame() {
        return new ServerFrame.Error(code, getMessage(), ref);
    }
}
