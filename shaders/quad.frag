#version 100
// A head's picture from a 2D texture (shm upload or RGB dmabuf).
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float; // exact texel addressing on 16384-wide buffers
#else
precision mediump float;
#endif

uniform sampler2D tex;
uniform float opaque;  // 1.0 for X formats: their alpha byte is padding
uniform float swap_rb; // 1.0 when BGRA data sits in an RGBA texture
varying vec2 v_texcoord;

void main()
{
	vec4 c = texture2D(tex, v_texcoord);
	c.rgb = mix(c.rgb, c.bgr, swap_rb);
	gl_FragColor = vec4(c.rgb, mix(c.a, 1.0, opaque));
}
