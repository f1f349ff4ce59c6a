# Builds Coldbrew in a Debian 13 container, for people not on Debian 12 as root:
#   docker build -t coldbrew .
#   docker run --rm -v "$PWD/dist:/out" coldbrew cp -r /coldbrew/dist/. /out/
# Inside trixie, build/build.sh uses the system's own toolchain (no debootstrap).
FROM debian:trixie
RUN echo 'Types: deb deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie trixie-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
        > /etc/apt/sources.list.d/debian.sources \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make nodejs npm \
       emscripten build-essential pkg-config tcl python3.13 dpkg-dev autoconf automake libtool libltdl-dev \
       xz-utils bzip2 zip unzip brotli tzdata ca-certificates \
    && apt-get clean
COPY . /coldbrew
WORKDIR /coldbrew
RUN make build
