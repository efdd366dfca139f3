package io.ringstore.http;

import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * The request-head deadline of one connection, between Pekko's HTTP server layer and the routes: a
 * connection that has not delivered a complete request head (Pekko emits a request once its head is
 * parsed) within the deadline of opening, or of its previous response, is closed. Pekko's
 * {@code idle-timeout} does not do this: a client that sends one header line every few seconds is
 * never idle. While a request is being answered no deadline runs. Upholds DESIGN invariant 6.
 *
 * <p>The connection is closed without a response: Pekko's server answers only requests it parsed.
 */
final class HeadDeadline
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private final Inlet<HttpRequest> requestsIn = Inlet.create("HeadDeadline.requestsIn");
  private final Outlet<HttpRequest> requestsOut = Outlet.create("HeadDeadline.requestsOut");
  private final Inlet<HttpResponse> responsesIn = Inlet.create("HeadDeadline.responsesIn");
  private final Outlet<HttpResponse> responsesOut = Outlet.create("HeadDeadline.responsesOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(requestsIn, requestsOut, responsesIn, responsesOut);
  private final Duration deadline;
  private final Runnable onTimeout;

  private HeadDeadline(Duration deadline, Runnable onTimeout) {
    this.deadline = deadline;
    this.onTimeout = onTimeout;
  }

  /** {@code handler} behind a head deadline; {@code onTimeout} runs when it closes the connection. */
  static Flow<HttpRequest, HttpResponse, NotUsed> wrap(
      Flow<HttpRequest, HttpResponse, NotUsed> handler, Duration deadline, Runnable onTimeout) {
    return BidiFlow.fromGraph(new HeadDeadline(deadline, onTimeout)).join(handler);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private static final String TIMER = "head-deadline";
      /** Requests handed to the routes and not yet answered. */
      private int unanswered;

      {
        setHandler(requestsIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            unanswered++;
            cancelTimer(TIMER);
            push(requestsOut, grab(requestsIn));
          }

          @Override
          public void onUpstreamFinish() {
            // the client sent its last request: the routes still answer what they have
            cancelTimer(TIMER);
            complete(requestsOut);
          }
        });
        setHandler(requestsOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(requestsIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(requestsIn, cause);
          }
        });
        setHandler(responsesIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            unanswered--;
            if (unanswered == 0 && !isClosed(requestsIn)) {
              scheduleOnce(TIMER, deadline);
            }
            push(responsesOut, grab(responsesIn));
          }

          @Override
          public void onUpstreamFinish() {
            complete(responsesOut);
          }
        });
        setHandler(responsesOut, new AbstractOutHandler() {
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

      @Override
      public void preStart() {
        scheduleOnce(TIMER, deadline);
      }

      @Override
      public void onTimer(Object key) {
        if (unanswered == 0) {
          onTimeout.run();
          completeStage();
        }
      }
    };
  }
}
