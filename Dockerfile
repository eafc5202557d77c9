# Usage: docker compose up --build      (see docker-compose.yml)
#        docker build -t pghandoff . && docker run --rm pghandoff pghandoff --help
#
# pghandoff built from this checkout on Debian 12, with the PostgreSQL 15 client tools
# (psql, pg_dump) it runs beside.
FROM debian:bookworm

WORKDIR /src
COPY tools/install-deps tools/install-deps
RUN tools/install-deps && rm -rf /var/lib/apt/lists/*

COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPGHANDOFF_BUILD_TESTS=OFF \
    && cmake --build build -j"$(nproc)" \
    && install -m 0755 build/pghandoff /usr/local/bin/pghandoff

CMD ["pghandoff", "--help"]
