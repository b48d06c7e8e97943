#version 100
#extension GL_OES_EGL_image_external : require
// A head's picture from a dmabuf the driver samples only as an external
// image (YUV, some tiled layouts): it converts to RGB for us.
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
#else
precision mediump float;
#endif

uniform samplerExternalOES tex;
uniform float opaque;
uniform float swap_rb; // unused here; kept so all programs share uniforms
varying vec2 v_texcoord;

void main()
{
	vec4 c = texture2D(tex, v_texcoord);
	c.rgb = mix(c.rgb, c.bgr, swap_rb);
	gl_FragColor = vec4(c.rgb, mix(c.a, 1.0, opaque));
}
