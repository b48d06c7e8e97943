#version 100
// A head's picture from an NV12 buffer the viewer converts itself: the
// luma plane in tex (.r) and the interleaved chroma plane in tex_uv
// (.r = Cb, .g = Cr), from per-plane EGLImages (R8, GR88) or uploads of
// a mapped buffer. BT.601, limited ("video") range, as PROTOCOL.md's
// Formats section says.
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
#else
precision mediump float;
#endif

uniform sampler2D tex;
uniform sampler2D tex_uv;
uniform float opaque;   // unused: NV12 has no alpha
uniform float swap_rb;  // unused; kept so all programs share uniforms
varying vec2 v_texcoord;

void main()
{
	float y = 1.16438356 * (texture2D(tex, v_texcoord).r - 0.0627451);
	vec2 c = texture2D(tex_uv, v_texcoord).rg - vec2(0.50196078);
	vec3 rgb = vec3(y + 1.59602679 * c.y,
			y - 0.39176229 * c.x - 0.81296765 * c.y,
			y + 2.01723214 * c.x);
	gl_FragColor = vec4(clamp(rgb, 0.0, 1.0), 1.0);
}
