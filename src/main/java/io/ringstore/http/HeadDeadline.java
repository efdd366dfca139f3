package io.ringstore.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.TLSProtocol.SessionBytes;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * The request-head deadline of one connection: a request head (request line and headers) must be
 * complete within the deadline of the connection's opening, or of the first byte of a later
 * request's head, else the connection is closed without a response. Pekko's {@code idle-timeout}
 * does not do this (a client that sends one header line every few seconds is never idle); an idle
 * keep-alive connection between requests, on the other hand, is left to {@code idle-timeout}.
 * Upholds DESIGN invariant 6.
 *
 * <p>Two stages of one connection work together: {@link #requests()}, between Pekko's HTTP layer
 * and the routes, says when a head has been parsed (Pekko emits a request then) and when every
 * request has been answered; {@link #bytes()}, between the HTTP layer and TLS (or its plain
 * placebo), runs the timer: from the connection's opening (the TLS handshake included), and again
 * from the first byte that arrives after every request was answered, until the next head has been
 * parsed. No deadline runs while a request is answered. (Bytes of a next head that a client
 * pipelines before its answer cannot be told from the end of a request body, so they start nothing:
 * the next byte after the answer does, and a client that sends nothing more is left to {@code
 * idle-timeout}.)
 *
 * <p>It closes the connection the way the HTTP layer closes one: its bytes toward the client end,
 * so TLS sends {@code close_notify} before the socket closes and a pooled client sees the close.
 */
final class HeadDeadline {
  /** What the request side tells the byte side. */
  private enum Signal {
    /** Pekko parsed a request head: stop the deadline. */
    HEAD_PARSED,
    /** Every request so far is answered: the next byte starts the deadline. */
    ANSWERED
  }

  private final Duration deadline;
  private final Runnable onTimeout;

  /** The byte side's callback, set when it starts (before any byte can reach the HTTP layer). */
  private final AtomicReference<AsyncCallback<Signal>> byteSide = new AtomicReference<>();

  /** The deadline of one connection; {@code onTimeout} runs when it closes the connection. */
  HeadDeadline(Duration deadline, Runnable onTimeout) {
    this.deadline = deadline;
    this.onTimeout = onTimeout;
  }

  /** The request side: requests from the HTTP layer to the routes on top, responses below. */
  BidiFlow<HttpRequest, HttpRequest, HttpResponse, HttpResponse, NotUsed> requests() {
    return BidiFlow.fromGraph(new RequestSide());
  }

  /**
   * The byte side: what the HTTP layer sends toward TLS on top, what TLS delivers to the HTTP layer
   * below.
   */
  BidiFlow<SslTlsOutbound, SslTlsOutbound, SslTlsInbound, SslTlsInbound, NotUsed> bytes() {
    return BidiFlow.fromGraph(new ByteSide());
  }

  private void signal(Signal signal) {
    AsyncCallback<Signal> callback = byteSide.get();
    if (callback != null) {
      callback.invoke(signal);
    }
  }

  private final class RequestSide
      extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
    private final Inlet<HttpRequest> requestsIn = Inlet.create("HeadDeadline.requestsIn");
    private final Outlet<HttpRequest> requestsOut = Outlet.create("HeadDeadline.requestsOut");
    private final Inlet<HttpResponse> responsesIn = Inlet.create("HeadDeadline.responsesIn");
    private final Outlet<HttpResponse> responsesOut = Outlet.create("HeadDeadline.responsesOut");
    private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
        BidiShape.of(requestsIn, requestsOut, responsesIn, responsesOut);

    @Override
    public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new GraphStageLogic(shape) {
        /** Requests handed to the routes and not yet answered. */
        private int unanswered;

        {
          setHandler(
              requestsIn,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  unanswered++;
                  signal(Signal.HEAD_PARSED);
                  push(requestsOut, grab(requestsIn));
                }

                @Override
                public void onUpstreamFinish() {
                  // the routes still answer what they have
                  complete(requestsOut);
                }
              });
          setHandler(
              requestsOut,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(requestsIn);
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                  cancel(requestsIn, cause);
                }
              });
          setHandler(
              responsesIn,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  unanswered--;
                  if (unanswered == 0) {
                    signal(Signal.ANSWERED);
                  }
                  push(responsesOut, grab(responsesIn));
                }

                @Override
                public void onUpstreamFinish() {
                  complete(responsesOut);
                }
              });
          setHandler(
              responsesOut,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(responsesIn);
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                  cancel(responsesIn, cause);
                }
              });
        }
      };
    }
  }

  private final class ByteSide
      extends GraphStage<BidiShape<SslTlsOutbound, SslTlsOutbound, SslTlsInbound, SslTlsInbound>> {
    private final Inlet<SslTlsOutbound> fromHttp = Inlet.create("HeadDeadline.fromHttp");
    private final Outlet<SslTlsOutbound> toTls = Outlet.create("HeadDeadline.toTls");
    private final Inlet<SslTlsInbound> fromTls = Inlet.create("HeadDeadline.fromTls");
    private final Outlet<SslTlsInbound> toHttp = Outlet.create("HeadDeadline.toHttp");
    private final BidiShape<SslTlsOutbound, SslTlsOutbound, SslTlsInbound, SslTlsInbound> shape =
        BidiShape.of(fromHttp, toTls, fromTls, toHttp);

    @Override
    public BidiShape<SslTlsOutbound, SslTlsOutbound, SslTlsInbound, SslTlsInbound> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new TimerGraphStageLogic(shape) {
        private static final String TIMER = "head-deadline";

        /** Every request is answered and no byte has come since: the next one starts the timer. */
        private boolean awaitingNextHead;

        private final AsyncCallback<Signal> signals = createAsyncCallback(this::onSignal);

        {
          setHandler(
              fromHttp,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  push(toTls, grab(fromHttp));
                }

                @Override
                public void onUpstreamFinish() {
                  complete(toTls);
                }
              });
          setHandler(
              toTls,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(fromHttp);
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                  cancel(fromHttp, cause);
                }
              });
          setHandler(
              fromTls,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  SslTlsInbound in = grab(fromTls);
                  if (awaitingNextHead
                      && in instanceof SessionBytes bytes
                      && !bytes.bytes().isEmpty()) {
                    awaitingNextHead = false;
                    scheduleOnce(TIMER, deadline);
                  }
                  push(toHttp, in);
                }

                @Override
                public void onUpstreamFinish() {
                  // the client sent all it will: the HTTP layer answers what it has and closes
                  cancelTimer(TIMER);
                  complete(toHttp);
                }
              });
          setHandler(
              toHttp,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  pull(fromTls);
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                  cancel(fromTls, cause);
                }
              });
        }

        @Override
        public void preStart() {
          byteSide.set(signals);
          scheduleOnce(TIMER, deadline);
        }

        private void onSignal(Signal signal) {
          if (signal == Signal.HEAD_PARSED) {
            awaitingNextHead = false;
            cancelTimer(TIMER);
          } else if (!isTimerActive(TIMER)) {
            awaitingNextHead = true;
          }
        }

        @Override
        public void onTimer(Object key) {
          onTimeout.run();
          // the bytes toward the client end (TLS: close_notify, then the socket closes), and the
          // HTTP layer's input ends without the rest of the head
          completeStage();
        }
      };
    }
  }
}
