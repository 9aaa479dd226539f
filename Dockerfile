# Multi-stage build: a static binary (CGO_ENABLED=0) on an empty image.
# `mockserver healthcheck` replaces curl, which scratch does not have.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION, when given (docker build --build-arg VERSION=$(git describe --tags --always --dirty) .),
# is what --version prints; .git is not in the build context, so without it
# the binary says it has no version stamped.
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w ${VERSION:+-X main.version=$VERSION}" -o /out/mockserver ./cmd/mockserver \
 && mkdir -p /out/data /out/scenarios /out/tmp && cp scenarios/*.yaml /out/scenarios/

FROM scratch
COPY --from=build /out/mockserver /mockserver
COPY --from=build /out/scenarios /scenarios
COPY --from=build --chown=65532:65532 /out/data /data
# scratch has no /tmp: the worlds' scratch files (--worlds-dir) go there
COPY --from=build --chown=65532:65532 /out/tmp /tmp
# nobody in distroless terms: never run the mock as root
USER 65532:65532
ENV MOCKSERVER_ADDR=0.0.0.0:8080 \
    MOCKSERVER_DB=/data/mockserver.db \
    MOCKSERVER_SCENARIO_DIR=/scenarios
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s CMD ["/mockserver", "healthcheck"]
ENTRYPOINT ["/mockserver"]
CMD ["serve"]
